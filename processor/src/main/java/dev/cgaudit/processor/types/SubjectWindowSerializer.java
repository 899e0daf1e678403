package dev.cgaudit.processor.types;

import dev.cgaudit.processor.CountedDecision;
import dev.cgaudit.processor.SubjectWindow;
import dev.cgaudit.schema.Outcome;
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
 * Writes a {@link SubjectWindow}: the number of counted decisions, each as event id, timestamp and
 * outcome (its symbol's position), then the expiry. Copies are the instance (immutable). Part of
 * savepoints (the router's window state): the format changes only with a new snapshot version.
 */
public final class SubjectWindowSerializer extends ImmutableTypeSerializer<SubjectWindow> {

    private static final long serialVersionUID = 1L;

    public static final SubjectWindowSerializer INSTANCE = new SubjectWindowSerializer();

    private static final Outcome[] OUTCOMES = Outcome.values();

    /** Picked up through {@code @TypeInfo} on {@link SubjectWindow}. */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<SubjectWindow> {
        @Override
        public TypeInformation<SubjectWindow> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new SerializerTypeInfo<>(SubjectWindow.class, INSTANCE);
        }
    }

    @Override
    public void serialize(SubjectWindow w, DataOutputView out) throws IOException {
        out.writeInt(w.counted().size());
        for (CountedDecision c : w.counted()) {
            CompactStrings.write(c.eventId(), out);
            out.writeLong(c.timestampMicros());
            out.writeByte(c.outcome() == null ? -1 : c.outcome().ordinal());
        }
        out.writeLong(w.expiresAt());
    }

    @Override
    public SubjectWindow deserialize(DataInputView in) throws IOException {
        int size = in.readInt();
        List<CountedDecision> counted = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            String eventId = CompactStrings.read(in);
            long micros = in.readLong();
            byte outcome = in.readByte();
            counted.add(new CountedDecision(eventId, micros, outcome < 0 ? null : OUTCOMES[outcome]));
        }
        return new SubjectWindow(counted, in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<SubjectWindow> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The format above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SubjectWindow> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
