package dev.cgaudit.collector.decode;

import static dev.cgaudit.collector.decode.RecordLayout.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Turns the bytes of one ring-buffer record into a {@link RawDecision}. Everything is checked
 * against the layout before it is trusted — type, ABI version, size, enum ranges, string
 * termination — because a record that is wrong must become a counted decode error, not a wrong
 * event or a crash of the reader thread.
 */
public final class DecisionDecoder {

    /**
     * Decodes {@code length} bytes at {@code offset} of {@code buffer} (native byte order, as the
     * kernel wrote them). Reads absolute positions only: the buffer's position and limit are left
     * alone, so the ring reader can hand over a view of its mapping without copying.
     */
    public RawDecision decode(ByteBuffer buffer, int offset, int length) throws RecordDecodeException {
        if (length < HEADER_SIZE) {
            throw new RecordDecodeException("record of " + length + " bytes is shorter than the "
                    + HEADER_SIZE + "-byte header");
        }
        if (offset < 0 || (long) offset + length > buffer.capacity()) {
            throw new RecordDecodeException("record at " + offset + "+" + length + " lies outside the buffer");
        }
        // clear(): absolute gets are checked against the limit, and the caller's limit (e.g. the
        // end of a ring view) says nothing about this record; the range was checked above.
        ByteBuffer b = buffer.duplicate().clear().order(ByteOrder.nativeOrder());
        int type = b.get(offset + HDR_TYPE) & 0xFF;
        int version = b.get(offset + HDR_VERSION) & 0xFF;
        int flags = b.getShort(offset + HDR_FLAGS) & 0xFFFF;
        long size = b.getInt(offset + HDR_SIZE) & 0xFFFFFFFFL;
        if (type != REC_DECISION) {
            throw new RecordDecodeException("unknown record type " + type);
        }
        if (version != ABI_VERSION) {
            throw new RecordDecodeException("record ABI version " + version + ", this collector reads "
                    + ABI_VERSION + " (BPF object and collector jar from different builds?)");
        }
        if (size != DECISION_SIZE || length < DECISION_SIZE) {
            throw new RecordDecodeException("decision record claims " + size + " bytes in a record of "
                    + length + ", expected " + DECISION_SIZE);
        }
        int op = b.get(offset + OP) & 0xFF;
        int stage = b.get(offset + STAGE) & 0xFF;
        if (op > OP_CLONE_INTO_CGROUP) {
            throw new RecordDecodeException("unknown operation " + op);
        }
        if (stage > STAGE_CLONE3) {
            throw new RecordDecodeException("unknown stage " + stage);
        }
        return new RawDecision(
                flags,
                b.getLong(offset + HDR_KTIME_NS),
                b.getLong(offset + DST_CGROUP_ID),
                b.getLong(offset + SRC_CGROUP_ID),
                b.getLong(offset + WRITER_CGROUP_ID),
                b.getInt(offset + WRITER_PID),
                b.getInt(offset + WRITER_TGID),
                b.getInt(offset + WRITER_UID) & 0xFFFFFFFFL,
                b.getInt(offset + WRITER_GID) & 0xFFFFFFFFL,
                b.getInt(offset + TARGET_PID),
                b.getInt(offset + TARGET_TGID),
                b.getInt(offset + RET),
                op,
                stage,
                b.get(offset + THREADGROUP) != 0,
                b.getInt(offset + DIRFD),
                cString(b, offset + WRITER_COMM, COMM_LEN, "writer_comm"),
                cString(b, offset + TARGET_COMM, COMM_LEN, "target_comm"),
                cString(b, offset + PATH, PATH_LEN, "path"));
    }

    /** A NUL-terminated string in a fixed field; a field without NUL is corrupt. */
    private static String cString(ByteBuffer b, int at, int capacity, String field) throws RecordDecodeException {
        for (int i = 0; i < capacity; i++) {
            if (b.get(at + i) == 0) {
                byte[] bytes = new byte[i];
                b.get(at, bytes);
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        throw new RecordDecodeException(field + " is not NUL-terminated within " + capacity + " bytes");
    }
}
