package dev.cgaudit.schema.codec;

import org.apache.avro.Schema;

/**
 * The fewest bytes a value of a schema takes in Avro binary: what lets a reader reject a block
 * that claims more items than the bytes left could hold, before allocating for them.
 */
final class MinimumBytes {

    /** Caps a record's sum: only "none", "one" and "several" matter to the callers. */
    private static final int CAP = 1 << 20;

    private MinimumBytes() {
    }

    static int of(Schema schema) {
        switch (schema.getType()) {
            case NULL:
                return 0;
            case FIXED:
                return schema.getFixedSize();
            case RECORD: {
                int sum = 0;
                for (Schema.Field field : schema.getFields()) {
                    sum = Math.min(sum + of(field.schema()), CAP);
                }
                return sum;
            }
            default:
                return 1;   // every other value starts with a varint or a byte: a value, length, count or index
        }
    }
}
