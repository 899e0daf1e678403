package dev.cgaudit.processor.types;

import dev.cgaudit.processor.RoutedDecision;
import dev.cgaudit.processor.SubjectWindow;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a {@link SubjectWindow}: pending and counted decisions (a count, then each with
 * {@link RoutedDecisionSerializer}), expiry and timer. Copies are the instance (immutable). Part of
 * savepoints (window state): the format changes only with a new snapshot version.
 */
public final class SubjectWindowSerializer extends ImmutableTypeSerializer<SubjectWindow> {

    private static final long serialVersionUID = 1L;

    public static final SubjectWindowSerializer INSTANCE = new SubjectWindowSerializer();

    /** Picked up through {@code @TypeInfo} on {@link SubjectWindow}. */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<SubjectWindow> {
        @Override
        public TypeInformation<SubjectWindow> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new SerializerTypeInfo<>(SubjectWindow.class, INSTANCE);
        }
    }

    @Override
    public void serialize(SubjectWindow w, DataOutputView out) throws IOException {
        writeList(w.pending(), out);
        writeList(w.counted(), out);
        out.writeLong(w.expiresAt());
        out.writeLong(w.timer());
    }

    @Override
    public SubjectWindow deserialize(DataInputView in) throws IOException {
        return new SubjectWindow(readList(in), readList(in), in.readLong(), in.readLong());
    }

    private static void writeList(List<RoutedDecision> decisions, DataOutputView out) throws IOException {
        out.writeInt(decisions.size());
        for (RoutedDecision r : decisions) {
            RoutedDecisionSerializer.INSTANCE.serialize(r, out);
        }
    }

    private static List<RoutedDecision> readList(DataInputView in) throws IOException {
        int size = in.readInt();
        List<RoutedDecision> decisions = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            decisions.add(RoutedDecisionSerializer.INSTANCE.deserialize(in));
        }
        return decisions;
    }

    @Override
    public TypeSerializerSnapshot<SubjectWindow> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1: the format above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SubjectWindow> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
