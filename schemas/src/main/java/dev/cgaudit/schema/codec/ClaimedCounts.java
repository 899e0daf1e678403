package dev.cgaudit.schema.codec;

import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;

/**
 * Walks a body the way Avro's reader will read it, without allocating: it fails where a block
 * claims more items than the bytes after it hold. Avro's structure walk ({@code GenericDatumReader.skip})
 * jumps over a block with a negative item count by the byte size that follows the count, so a
 * block whose byte size is right but whose count says 2^28 passes it, and Avro's reader then
 * allocates an array of 2^28 before it finds the items missing. This walk goes item by item, as
 * the reader does, so such a claim runs out of bytes here instead.
 *
 * <p>It rejects nothing the reader would accept: it makes the reader's reads (counts, indexes,
 * lengths) in the reader's order and only skips the bytes of strings, bytes and fixed values. One
 * exception, for bytes no writer makes: a field that an older writer schema has and ours has not
 * is jumped over by the resolving reader as the structure walk does, so a negative-count block in
 * it whose byte size does not fit its items was accepted and is now rejected.
 */
final class ClaimedCounts {

    /** Items that take no bytes can be claimed without limit; the reader allocates them all. */
    private static final long MAX_EMPTY_ITEMS = 1 << 20;

    private ClaimedCounts() {
    }

    /** @throws IOException or a runtime exception where the body cannot hold what it claims */
    static void walk(Schema schema, BinaryDecoder in) throws IOException {
        switch (schema.getType()) {
            case RECORD -> {
                for (Schema.Field field : schema.getFields()) {
                    walk(field.schema(), in);
                }
            }
            case ARRAY -> {
                for (long n = in.readArrayStart(); n != 0; n = in.arrayNext()) {
                    items(n, schema.getElementType(), in, false);
                }
            }
            case MAP -> {
                for (long n = in.readMapStart(); n != 0; n = in.mapNext()) {
                    items(n, schema.getValueType(), in, true);
                }
            }
            case UNION -> walk(schema.getTypes().get(in.readIndex()), in);
            case ENUM -> in.readEnum();
            case FIXED -> in.skipFixed(schema.getFixedSize());
            case STRING, BYTES -> skipLength(in);
            case INT -> in.readInt();
            case LONG -> in.readLong();
            case FLOAT -> in.readFloat();
            case DOUBLE -> in.readDouble();
            case BOOLEAN -> in.readBoolean();
            case NULL -> in.readNull();
        }
    }

    private static void items(long n, Schema item, BinaryDecoder in, boolean keyed) throws IOException {
        if (!keyed && n > MAX_EMPTY_ITEMS && MinimumBytes.of(item) == 0) {
            throw new IOException("block of " + n + " items that take no bytes");
        }
        for (long i = 0; i < n; i++) {
            if (keyed) {
                skipLength(in);
            }
            walk(item, in);
        }
    }

    /** A string or bytes value: the reader rejects a negative length, and so must a walk that skips. */
    private static void skipLength(BinaryDecoder in) throws IOException {
        long length = in.readLong();
        if (length < 0 || length > Integer.MAX_VALUE) {
            throw new IOException("length " + length);
        }
        in.skipFixed((int) length);
    }
}
