package dev.cgaudit.schema.codec;

import dev.cgaudit.schema.codec.BodyTokens.Token;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Hostile variants of one valid message, for the differential fuzz of the readers. */
final class Mutations {

    private Mutations() {
    }

    /**
     * Byte flips, extra trailing bytes, hostile values in place of the steering varints, over-long
     * varints, the arrays and maps re-blocked by hand (negative counts, right and wrong byte sizes,
     * several blocks), and with {@code everyCut} the message cut at every length.
     */
    static List<byte[]> of(byte[] valid, List<Token> tokens, Random random, boolean everyCut) {
        List<byte[]> out = new ArrayList<>();
        out.add(valid);
        int body = EventCodec.HEADER_LENGTH;
        for (int i = 0; i < 60; i++) {
            byte[] m = valid.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0 && m.length > body; flips--) {
                m[body + random.nextInt(m.length - body)] = (byte) random.nextInt(256);
            }
            out.add(m);
        }
        for (int extra = 1; extra <= 3; extra++) {
            byte[] m = Arrays.copyOf(valid, valid.length + extra);
            m[m.length - 1] = (byte) random.nextInt(256);
            out.add(m);
        }
        if (everyCut) {
            for (int length = body; length < valid.length; length++) {
                out.add(Arrays.copyOf(valid, length));
            }
        } else {
            for (int i = 0; i < 10; i++) {
                out.add(Arrays.copyOf(valid, body + random.nextInt(valid.length - body)));
            }
        }
        for (Token t : tokens) {
            for (long value : hostileValues(t, random)) {
                byte[] m = replace(valid, t, BodyTokens.varint(value));
                out.add(m);
                if (random.nextInt(4) == 0) {
                    out.add(Arrays.copyOf(m, m.length + 1));   // and a byte behind it: TRAILING or not?
                }
            }
            // the same value, over-long: padding within the limit is valid, beyond it is not
            for (int pad : new int[] {1, 4, 5, 9, 10}) {
                out.add(replace(valid, t, padded(BodyTokens.varint(t.value()), pad)));
            }
            if (t.kind() == BodyTokens.Kind.BLOCK && t.value() > 0) {
                out.addAll(reblocked(valid, t, random));
            }
        }
        return out;
    }

    private static long[] hostileValues(Token t, Random random) {
        long v = t.value();
        return switch (t.kind()) {
            case ENUM -> new long[] {-1, t.limit(), t.limit() + 1, Integer.MAX_VALUE, Integer.MIN_VALUE,
                    random.nextInt(t.limit())};
            case UNION -> new long[] {-1, 1 - v, 2, 3, Integer.MAX_VALUE};
            case LENGTH -> new long[] {-1, -7, v + 1, Math.max(0, v - 1), 0, 1L << 31, (1L << 31) - 1,
                    1L << 62, Long.MIN_VALUE, Long.MAX_VALUE};
            case BLOCK -> new long[] {v + 1, Math.max(0, v - 1), 1L << 31, Long.MAX_VALUE, -1, Long.MIN_VALUE};
        };
    }

    /** The block's items again, as the given counts (negative: with a byte size) plus a skew on the sizes. */
    private static List<byte[]> reblocked(byte[] valid, Token block, Random random) {
        List<byte[]> out = new ArrayList<>();
        int n = (int) block.value();
        out.add(reblock(valid, block, List.of(-n), 0));
        for (int skew : new int[] {-1, 1, -1000, 1000, Integer.MIN_VALUE}) {
            out.add(reblock(valid, block, List.of(-n), skew));
        }
        if (n > 1) {
            int first = 1 + random.nextInt(n - 1);
            out.add(reblock(valid, block, List.of(first, n - first), 0));
            out.add(reblock(valid, block, List.of(-first, n - first), 0));
            out.add(reblock(valid, block, List.of(first, -(n - first)), 0));
            out.add(reblock(valid, block, List.of(-first, -(n - first)), random.nextBoolean() ? 1 : -1));
        }
        return out;
    }

    /**
     * The message with the block's items regrouped into blocks of the given counts; a negative count
     * is written with its byte size plus {@code skew} ({@code Integer.MIN_VALUE}: a negative size).
     */
    static byte[] reblock(byte[] valid, Token block, List<Integer> counts, int skew) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(valid, 0, block.start());
        int item = 0;
        for (int count : counts) {
            int from = block.items().get(item);
            item += Math.abs(count);
            int to = item < block.items().size() ? block.items().get(item) : block.itemsEnd();
            out.writeBytes(BodyTokens.varint(count));
            if (count < 0) {
                long size = skew == Integer.MIN_VALUE ? -(to - from) : (long) (to - from) + skew;
                out.writeBytes(BodyTokens.varint(size));
            }
            out.write(valid, from, to - from);
        }
        // the terminating zero count follows itemsEnd in the valid message
        out.write(valid, block.itemsEnd(), valid.length - block.itemsEnd());
        return out.toByteArray();
    }

    /** The message with the varint at the token replaced by {@code replacement}. */
    static byte[] replace(byte[] valid, Token t, byte[] replacement) {
        byte[] m = new byte[valid.length - (t.end() - t.start()) + replacement.length];
        System.arraycopy(valid, 0, m, 0, t.start());
        System.arraycopy(replacement, 0, m, t.start(), replacement.length);
        System.arraycopy(valid, t.end(), m, t.start() + replacement.length, valid.length - t.end());
        return m;
    }

    /** The same varint with {@code extra} more bytes: continuation bits set, zero payload. */
    private static byte[] padded(byte[] varint, int extra) {
        byte[] out = Arrays.copyOf(varint, varint.length + extra);
        for (int i = 0; i < out.length - 1; i++) {
            out[i] |= (byte) 0x80;
        }
        out[out.length - 1] = 0;
        return out;
    }
}
