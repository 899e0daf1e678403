package dev.cgaudit.collector.ring;

import static dev.cgaudit.collector.ring.RingAccess.UNSAFE;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import sun.misc.Unsafe;

/**
 * The payload of one ring record, read in place: what a {@link RecordHandler} is given. Offsets are
 * relative to the first payload byte, values native-endian as the kernel wrote them.
 *
 * <p>Reads go straight to the record's address (raw {@code Unsafe} loads, no ByteBuffer): a buffer
 * view re-checks its limit and scope and reloads its address and byte order on every field after
 * each acquire of the reader, which was a large share of the reader's cost per record. Every read
 * is still checked, against this record's length, with one compare: the reader has checked the
 * length against the ring, and the data area is mapped twice, so a read inside the record never
 * leaves the mapping whatever the ring holds.
 *
 * <p>The reader reuses one instance and repoints it for every record: it is valid only during
 * {@code onRecord}; afterwards the producer may overwrite the bytes. Copy what you keep.
 */
public final class RingRecord {

    private static final long BYTE_ARRAY_BASE = Unsafe.ARRAY_BYTE_BASE_OFFSET;

    private long address;
    private int length;
    /** Keeps the memory of a record that is not in a ring alive (see {@link #copyOf}). */
    private final Object owner;

    RingRecord() {
        this.owner = null;
    }

    private RingRecord(ByteBuffer direct, int length) {
        this.owner = direct;
        this.address = RingAccess.address(direct, length);
        this.length = length;
    }

    /**
     * A record holding a copy of {@code length} bytes at {@code offset} of {@code source} (absolute:
     * its position and limit are ignored): for payloads that do not come from a ring in this
     * process, such as tests or libbpf's own callback.
     *
     * @throws IndexOutOfBoundsException if the range is not inside {@code source}
     */
    public static RingRecord copyOf(ByteBuffer source, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, source.capacity());
        ByteBuffer copy = ByteBuffer.allocateDirect(Math.max(length, 1)).order(ByteOrder.nativeOrder());
        copy.put(0, source.duplicate().clear(), offset, length);
        return new RingRecord(copy, length);
    }

    /** Same, from a byte array. */
    public static RingRecord copyOf(byte[] bytes) {
        return copyOf(ByteBuffer.wrap(bytes), 0, bytes.length);
    }

    /** Repoints this view at the next record; the reader checked {@code length} against the ring. */
    void point(long address, int length) {
        this.address = address;
        this.length = length;
    }

    /** Where the payload starts: for tests of the reader's placement. */
    long address() {
        return address;
    }

    /** Payload bytes of this record. */
    public int length() {
        return length;
    }

    public byte getByte(int at) {
        return UNSAFE.getByte(checked(at, Byte.BYTES));
    }

    public short getShort(int at) {
        return UNSAFE.getShort(checked(at, Short.BYTES));
    }

    public int getInt(int at) {
        return UNSAFE.getInt(checked(at, Integer.BYTES));
    }

    public long getLong(int at) {
        return UNSAFE.getLong(checked(at, Long.BYTES));
    }

    /** Copies {@code count} bytes at {@code at} into {@code dst} from {@code dstFrom}. */
    public void get(int at, byte[] dst, int dstFrom, int count) {
        Objects.checkFromIndexSize(dstFrom, count, dst.length);
        Objects.checkFromIndexSize(at, count, length);
        UNSAFE.copyMemory(null, address + at, dst, BYTE_ARRAY_BASE + dstFrom, count);
    }

    /** The address of {@code width} (>= 1) bytes at {@code at}, or an exception if they are not all in the record. */
    private long checked(int at, int width) {
        if (at < 0) {
            throw new IndexOutOfBoundsException("read at " + at + " in a record of " + length + " bytes");
        }
        // checkIndex on the last byte, against the length: a JIT intrinsic, and the checks of a
        // handler's constant offsets against the same length fold into one compare per record.
        // at + width - 1 overflows only to a negative index, which fails too.
        Objects.checkIndex(at + width - 1, length);
        return address + at;
    }

}
