package dev.cgaudit.schema.codec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Where the varints that steer a reader are in a valid message (enum ordinals, union indexes,
 * string and bytes lengths, array and map blocks), found by walking it with Avro's own decoder, so
 * that a fuzz test can replace exactly them with hostile values.
 */
final class BodyTokens {

    enum Kind { ENUM, UNION, LENGTH, BLOCK }

    /**
     * One varint at {@code [start, end)}. For a BLOCK, {@code items} are the offsets where its items
     * start, and {@code itemsEnd} where the last ends (the terminating zero count follows).
     */
    record Token(Kind kind, int start, int end, long value, int limit, List<Integer> items, int itemsEnd) {
    }

    private final byte[] message;
    private final ByteArrayInputStream stream;
    private final BinaryDecoder in;
    private final List<Token> tokens = new ArrayList<>();

    private BodyTokens(byte[] message, int offset) {
        this.message = message;
        this.stream = new ByteArrayInputStream(message, offset, message.length - offset);
        this.in = DecoderFactory.get().directBinaryDecoder(stream, null);
    }

    static List<Token> of(byte[] message, Schema schema) throws IOException {
        BodyTokens walk = new BodyTokens(message, EventCodec.HEADER_LENGTH);
        walk.walk(schema);
        return walk.tokens;
    }

    private int pos() {
        return message.length - stream.available();
    }

    private void walk(Schema schema) throws IOException {
        int start = pos();
        switch (schema.getType()) {
            case RECORD -> {
                for (Schema.Field f : schema.getFields()) {
                    walk(f.schema());
                }
            }
            case UNION -> {
                int index = in.readIndex();
                tokens.add(new Token(Kind.UNION, start, pos(), index, schema.getTypes().size(), null, 0));
                walk(schema.getTypes().get(index));
            }
            case ENUM -> tokens.add(new Token(Kind.ENUM, start, pos(), in.readEnum(),
                    schema.getEnumSymbols().size(), null, 0));
            case STRING, BYTES -> {
                long length = in.readLong();
                tokens.add(new Token(Kind.LENGTH, start, pos(), length, 0, null, 0));
                in.skipFixed((int) length);
            }
            case ARRAY, MAP -> {
                long count = in.readLong();   // our writer: one block, or none
                int countEnd = pos();
                List<Integer> items = new ArrayList<>();
                for (long i = 0; i < count; i++) {
                    items.add(pos());
                    if (schema.getType() == Schema.Type.MAP) {
                        walk(Schema.create(Schema.Type.STRING));
                        walk(schema.getValueType());
                    } else {
                        walk(schema.getElementType());
                    }
                }
                int itemsEnd = pos();
                if (count != 0 && in.readLong() != 0) {
                    throw new IllegalStateException("expected one block");
                }
                tokens.add(new Token(Kind.BLOCK, start, countEnd, count, 0, items, itemsEnd));
            }
            case INT -> in.readInt();
            case LONG -> in.readLong();
            case BOOLEAN -> in.readBoolean();
            case FLOAT -> in.readFloat();
            case DOUBLE -> in.readDouble();
            case NULL -> in.readNull();
            default -> throw new IllegalArgumentException(schema.getType().toString());
        }
    }

    /** Avro's zig-zag varint of {@code value}. */
    static byte[] varint(long value) {
        long n = (value << 1) ^ (value >> 63);
        byte[] out = new byte[10];
        int i = 0;
        while ((n & ~0x7FL) != 0) {
            out[i++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        out[i++] = (byte) n;
        return java.util.Arrays.copyOf(out, i);
    }
}
