package dev.cgaudit.collector.decode;

import static dev.cgaudit.collector.decode.RecordLayout.*;

import dev.cgaudit.collector.ring.RingRecord;
import java.nio.charset.StandardCharsets;

/**
 * Turns the bytes of one ring-buffer record into a {@link RawDecision}. Everything is checked
 * against the layout before it is trusted — type, ABI version, size, enum ranges, string
 * termination — because a record that is wrong must become a counted decode error, not a wrong
 * event or a crash of the reader thread.
 */
public final class DecisionDecoder {

    /**
     * Decodes one record in place (native byte order, as the kernel wrote it): the ring reader's
     * view, read without copying. Every read is checked against the record's length.
     */
    public RawDecision decode(RingRecord record) throws RecordDecodeException {
        int length = record.length();
        if (length < HEADER_SIZE) {
            throw new RecordDecodeException("record of " + length + " bytes is shorter than the "
                    + HEADER_SIZE + "-byte header");
        }
        int type = record.getByte(HDR_TYPE) & 0xFF;
        int version = record.getByte(HDR_VERSION) & 0xFF;
        int flags = record.getShort(HDR_FLAGS) & 0xFFFF;
        long size = record.getInt(HDR_SIZE) & 0xFFFFFFFFL;
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
        int op = record.getByte(OP) & 0xFF;
        int stage = record.getByte(STAGE) & 0xFF;
        if (op > OP_CLONE_INTO_CGROUP) {
            throw new RecordDecodeException("unknown operation " + op);
        }
        if (stage > STAGE_CLONE3) {
            throw new RecordDecodeException("unknown stage " + stage);
        }
        return new RawDecision(
                flags,
                record.getLong(HDR_KTIME_NS),
                record.getLong(DST_CGROUP_ID),
                record.getLong(SRC_CGROUP_ID),
                record.getLong(WRITER_CGROUP_ID),
                record.getInt(WRITER_PID),
                record.getInt(WRITER_TGID),
                record.getInt(WRITER_UID) & 0xFFFFFFFFL,
                record.getInt(WRITER_GID) & 0xFFFFFFFFL,
                record.getInt(TARGET_PID),
                record.getInt(TARGET_TGID),
                record.getInt(RET),
                op,
                stage,
                record.getByte(THREADGROUP) != 0,
                record.getInt(DIRFD),
                record.getInt(WRITER_EXEC_ID),
                cString(record, WRITER_COMM, COMM_LEN, "writer_comm"),
                cString(record, TARGET_COMM, COMM_LEN, "target_comm"),
                cString(record, PATH, PATH_LEN, "path"));
    }

    /** A NUL-terminated string in a fixed field; a field without NUL is corrupt. */
    private static String cString(RingRecord record, int at, int capacity, String field) throws RecordDecodeException {
        for (int i = 0; i < capacity; i++) {
            if (record.getByte(at + i) == 0) {
                byte[] bytes = new byte[i];
                record.get(at, bytes, 0, i);
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        throw new RecordDecodeException(field + " is not NUL-terminated within " + capacity + " bytes");
    }
}
