package dev.cgaudit.processor.types;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Non-null strings written by {@link CompactStrings}: for the keys of the job's large maps in state
 * (one per open window), where Flink's string serializer writes character by character. Part of
 * savepoints: the format changes only with a new snapshot version.
 */
public final class CompactStringSerializer extends ImmutableTypeSerializer<String> {

    private static final long serialVersionUID = 1L;

    public static final CompactStringSerializer INSTANCE = new CompactStringSerializer();

    /** For a state descriptor's key or value type. */
    public static final TypeInformation<String> TYPE = new SerializerTypeInfo<>(String.class, INSTANCE);

    @Override
    public void serialize(String s, DataOutputView out) throws IOException {
        CompactStrings.write(s, out);
    }

    @Override
    public String deserialize(DataInputView in) throws IOException {
        return CompactStrings.read(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        CompactStrings.copy(source, target);
    }

    @Override
    public TypeSerializerSnapshot<String> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1: the format above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<String> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
