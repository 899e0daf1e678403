package dev.cgaudit.schema.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.SystemLimitException;

/**
 * The bytes of one message body and where {@link CompiledDatumReader}'s walk is; one per call.
 * Varints are read the way Avro's BinaryDecoder reads them, and every length is checked against
 * the bytes left before anything is allocated.
 */
final class BodyInput {

    /** The skip walk of the old path would fail here. Thrown often by hostile input: no stack trace. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The longest string and bytes Avro's read accepts: {@code -Dorg.apache.avro.limits.*} if set.
     * Found once by asking SystemLimitException, so that a read compares with an int.
     */
    private static final int MAX_STRING_LENGTH = largestAccepted(true);
    private static final int MAX_BYTES_LENGTH = largestAccepted(false);

    private static int largestAccepted(boolean string) {
        int accepted = 0;
        for (int bit = 30; bit >= 0; bit--) {
            int candidate = accepted | (1 << bit);
            if (limitExceeded(candidate, string) == null) {
                accepted = candidate;
            }
        }
        return accepted;
    }

    /** Avro's complaint about a length, or null when its read takes it. */
    private static String limitExceeded(long length, boolean string) {
        try {
            if (string) {
                SystemLimitException.checkMaxStringLength(length);
            } else {
                SystemLimitException.checkMaxBytesLength(length);
            }
            return null;
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    private final byte[] buf;
    /** Package-private: BlockReader moves it where the skip walk jumps. */
    int pos;
    /** Why the read of the old path would fail, once it would; the skip walk goes on. */
    private String readFailure;

    /**
     * True when the old path's structure walk has already passed the message: the walk then
     * follows Avro's read alone, which reads a negative-count block's items and ignores its size.
     */
    final boolean afterStructureWalk;

    BodyInput(byte[] buf, int pos, boolean afterStructureWalk) {
        this.buf = buf;
        this.pos = pos;
        this.afterStructureWalk = afterStructureWalk;
    }

    int left() {
        return buf.length - pos;
    }

    /** Whether the read of the old path would have failed by now. */
    boolean readFailed() {
        return readFailure != null;
    }

    /** Why the read of the old path would fail, or null. */
    String readFailure() {
        return readFailure;
    }

    void failRead(String why) {
        if (readFailure == null) {
            readFailure = why;
        }
    }

    private Malformed truncated(String where) {
        return new Malformed(where + ": truncated at byte " + pos);
    }

    /** Zig-zag varint of at most 5 bytes; bits beyond 32 in the fifth are dropped, as Avro does. */
    int readInt(String where) throws Malformed {
        // a local position: the loop then keeps it in a register
        byte[] b = buf;
        int p = pos;
        int n = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (p >= b.length) {
                throw truncated(where);
            }
            int x = b[p++];
            n |= (x & 0x7F) << shift;
            if (x >= 0) {
                pos = p;
                return (n >>> 1) ^ -(n & 1);
            }
        }
        throw new Malformed(where + ": invalid int encoding (more than 5 bytes)");
    }

    /** Zig-zag varint of at most 10 bytes; bits beyond 64 in the tenth are dropped, as Avro does. */
    long readLong(String where) throws Malformed {
        byte[] b = buf;
        int p = pos;
        long n = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (p >= b.length) {
                throw truncated(where);
            }
            int x = b[p++];
            n |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                pos = p;
                return (n >>> 1) ^ -(n & 1);
            }
        }
        throw new Malformed(where + ": invalid long encoding (more than 10 bytes)");
    }

    boolean readBoolean(String where) throws Malformed {
        if (pos >= buf.length) {
            throw truncated(where);
        }
        return buf[pos++] == 1;   // Avro reads any other byte as false
    }

    String readString(String where) throws Malformed {
        int length = length(where, true);
        if (length <= 0) {
            return "";
        }
        String s = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    /** {@link #readString}'s (string) or {@link #readBytes}'s checks and move, without building the value. */
    void skip(String where, boolean string) throws Malformed {
        // Not "pos += length(...)": that reads pos before length() moves it past the varint.
        int length = length(where, string);   // never negative: a failed length is 0, already stepped over
        pos += length;
    }

    ByteBuffer readBytes(String where) throws Malformed {
        int length = length(where, false);
        byte[] bytes = Arrays.copyOfRange(buf, pos, pos + Math.max(0, length));
        pos += bytes.length;
        return ByteBuffer.wrap(bytes);
    }

    /**
     * A string or bytes length, checked against the bytes left before anything is allocated.
     * A negative one consumes nothing (the skip walk skips zero bytes) and fails the read.
     */
    private int length(String where, boolean string) throws Malformed {
        long length = readLong(where);
        if (length > left()) {
            throw new Malformed(where + ": " + (string ? "string" : "bytes") + " of " + length
                    + " bytes, " + left() + " left");
        }
        if (length < 0 || length > (string ? MAX_STRING_LENGTH : MAX_BYTES_LENGTH)) {
            failRead(where + ": " + limitExceeded(length, string));
            pos += (int) Math.max(0, length);   // the skip walk goes over it
            return 0;
        }
        return (int) length;
    }
}
