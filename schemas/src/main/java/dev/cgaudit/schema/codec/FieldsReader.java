package dev.cgaudit.schema.codec;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Some top-level fields of an event, read from its single-object message with exactly the verdict
 * of {@link EventCodec#decode}: accepted, or rejected for the same reason. For a body written with
 * the codec's own schema, the fields that are not asked for are walked and checked but never built
 * (a Kafka source that only routes a decision needs five of its values, not its object graph);
 * any other writer schema is decoded whole and the fields taken from the event.
 *
 * <p>Thread-safe; from {@link EventCodec#fieldsReader}.
 */
public final class FieldsReader<T extends SpecificRecord> {

    private final EventCodec<T> codec;
    private final Optional<CompiledDatumReader> walk;
    /** The position in the record of each field asked for, in the order asked. */
    private final int[] positions;

    /** @param positions from {@link #positions}; {@code walk} was compiled for the same */
    FieldsReader(EventCodec<T> codec, int[] positions, Optional<CompiledDatumReader> walk) {
        this.codec = codec;
        this.walk = walk;
        this.positions = positions;
    }

    /** The position in {@code schema} of each of {@code names}, in that order. */
    static int[] positions(Schema schema, List<String> names) {
        int[] positions = new int[names.size()];
        for (int i = 0; i < positions.length; i++) {
            Schema.Field field = schema.getField(names.get(i));
            if (field == null) {
                throw new IllegalArgumentException(schema.getName() + " has no field " + names.get(i));
            }
            positions[i] = field.pos();
        }
        return positions;
    }

    /**
     * The values of the fields asked for, in that order, as {@link EventCodec#decode}'s event holds
     * them (a timestamp as its Instant, a string as a String).
     *
     * @throws DecodeException as {@link EventCodec#decode} throws it for these bytes
     */
    public Object[] read(byte[] message) throws DecodeException {
        if (walk.isPresent()) {
            EventCodec.checkHeader(message);
            if (codec.isOwnSchema(message)) {
                return (Object[]) codec.readCompiled(walk.get(), message);
            }
        }
        T event = codec.decode(message);
        Object[] values = new Object[positions.length];
        for (int i = 0; i < positions.length; i++) {
            values[i] = event.get(positions[i]);
        }
        return values;
    }

    /** Whether the codec's own schema is walked without building (false: every message is decoded whole). */
    boolean isCompiled() {
        return walk.isPresent();
    }
}
