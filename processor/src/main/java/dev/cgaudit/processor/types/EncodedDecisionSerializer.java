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
 * Writes an {@link EncodedDecision} as its routing fields and its message bytes: node, timestamp,
 * boot id, seq, the event id ({@code -1} in place of its length when it is node/bootId/seq, as the
 * collector makes it), the message. Copies are the instance itself: the type is immutable, so the
 * heap state backend's copy-on-write and object copies between chained operators cost nothing.
 * Part of savepoints (router buffer): the format changes only with a new snapshot class
 * ({@link DerivedIdSnapshot} replaced {@link Snapshot}).
 */
public final class EncodedDecisionSerializer extends ImmutableTypeSerializer<EncodedDecision> {

    private static final long serialVersionUID = 1L;

    public static final EncodedDecisionSerializer INSTANCE = new EncodedDecisionSerializer();

    /** In place of the event id's length: the id is node/bootId/seq, and not written. */
    private static final int DERIVED_EVENT_ID = -1;

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
        if (d.otherEventId() == null) {
            out.writeInt(DERIVED_EVENT_ID);
        } else {
            CompactStrings.write(d.otherEventId(), out);
        }
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
        int eventIdLength = in.readInt();
        String otherEventId = eventIdLength == DERIVED_EVENT_ID ? null : CompactStrings.read(eventIdLength, in);
        byte[] message = new byte[in.readInt()];
        in.readFully(message);
        return EncodedDecision.read(node, timestampMicros, bootId, seq, otherEventId, message);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        CompactStrings.copy(source, target);
        target.writeLong(source.readLong());
        CompactStrings.copy(source, target);
        target.writeLong(source.readLong());
        int eventIdLength = source.readInt();
        if (eventIdLength == DERIVED_EVENT_ID) {
            target.writeInt(DERIVED_EVENT_ID);
        } else {
            CompactStrings.copy(eventIdLength, source, target);
        }
        byte[] message = new byte[source.readInt()];
        source.readFully(message);
        target.writeInt(message.length);
        target.write(message);
    }

    @Override
    public TypeSerializerSnapshot<EncodedDecision> snapshotConfiguration() {
        return new DerivedIdSnapshot();
    }

    /**
     * The first format, with the event id always written. Kept so that a savepoint written with it
     * still names a class here; {@link DerivedIdSnapshot} declares it incompatible, so such a savepoint
     * fails to restore with Flink's message instead of being misread.
     */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EncodedDecision> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** The format above: the event id only where it is not node/bootId/seq. */
    public static final class DerivedIdSnapshot extends SameFormatSnapshot<EncodedDecision> {
        public DerivedIdSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
