package dev.cgaudit.processor.types;

import dev.cgaudit.processor.EncodedDecision;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes an {@link EncodedDecision} as its routing fields and its message bytes. Copies are the
 * instance itself: the type is immutable, so the heap state backend's copy-on-write and object
 * copies between chained operators cost nothing. Part of savepoints (router buffer): the format
 * changes only with a new snapshot version.
 */
public final class EncodedDecisionSerializer extends ImmutableTypeSerializer<EncodedDecision> {

    private static final long serialVersionUID = 1L;

    public static final EncodedDecisionSerializer INSTANCE = new EncodedDecisionSerializer();

    /** Picked up through {@code @TypeInfo} on {@link EncodedDecision}: wherever Flink extracts the type. */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<EncodedDecision> {
        @Override
        public TypeInformation<EncodedDecision> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new SerializerTypeInfo<>(EncodedDecision.class, INSTANCE);
        }
    }

    @Override
    public void serialize(EncodedDecision d, DataOutputView out) throws IOException {
        CompactStrings.write(d.node(), out);
        out.writeLong(d.timestampMicros());
        CompactStrings.write(d.bootId(), out);
        out.writeLong(d.seq());
        CompactStrings.write(d.eventId(), out);
        byte[] message = d.message();
        out.writeInt(message.length);
        out.write(message);
    }

    @Override
    public EncodedDecision deserialize(DataInputView in) throws IOException {
        String node = CompactStrings.read(in);
        long timestampMicros = in.readLong();
        String bootId = CompactStrings.read(in);
        long seq = in.readLong();
        String eventId = CompactStrings.read(in);
        byte[] message = new byte[in.readInt()];
        in.readFully(message);
        return new EncodedDecision(node, timestampMicros, bootId, seq, eventId, message);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        CompactStrings.copy(source, target);
        target.writeLong(source.readLong());
        CompactStrings.copy(source, target);
        target.writeLong(source.readLong());
        CompactStrings.copy(source, target);
        byte[] message = new byte[source.readInt()];
        source.readFully(message);
        target.writeInt(message.length);
        target.write(message);
    }

    @Override
    public TypeSerializerSnapshot<EncodedDecision> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1: the format above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EncodedDecision> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
