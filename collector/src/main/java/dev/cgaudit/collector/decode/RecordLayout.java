package dev.cgaudit.collector.decode;

/**
 * Byte offsets and sizes of the records in {@code src/main/bpf/cgaudit.h}, mirrored by hand.
 * {@code RecordLayoutBtfTest} compares them with the BTF of the compiled BPF object, so the two
 * cannot drift apart silently.
 */
public final class RecordLayout {

    public static final int ABI_VERSION = 1;

    public static final int COMM_LEN = 16;
    public static final int PATH_LEN = 256;

    /** enum cga_record_type */
    public static final int REC_DECISION = 1;
    public static final int REC_TYPE_MAX = 2;

    /** enum cga_op */
    public static final int OP_PROCS_WRITE = 0;
    public static final int OP_THREADS_WRITE = 1;
    public static final int OP_CLONE_INTO_CGROUP = 2;

    /** enum cga_stage */
    public static final int STAGE_WRITE = 0;
    public static final int STAGE_OPEN = 1;
    public static final int STAGE_CLONE3 = 2;

    /** cga_header.flags */
    public static final int F_ATTACHED = 1;
    public static final int F_TARGET_PARSED = 1 << 1;
    public static final int F_TARGET_FOUND = 1 << 2;
    public static final int F_SRC_KNOWN = 1 << 3;
    public static final int F_PATH_IS_DST = 1 << 4;
    public static final int F_PATH_IS_FILE = 1 << 5;
    public static final int F_PATH_TRUNCATED = 1 << 6;

    /** struct cga_header */
    public static final int HDR_TYPE = 0;
    public static final int HDR_VERSION = 1;
    public static final int HDR_FLAGS = 2;
    public static final int HDR_SIZE = 4;
    public static final int HDR_KTIME_NS = 8;
    public static final int HEADER_SIZE = 16;

    /** struct cga_decision */
    public static final int DST_CGROUP_ID = 16;
    public static final int SRC_CGROUP_ID = 24;
    public static final int WRITER_CGROUP_ID = 32;
    public static final int WRITER_PID = 40;
    public static final int WRITER_TGID = 44;
    public static final int WRITER_UID = 48;
    public static final int WRITER_GID = 52;
    public static final int TARGET_PID = 56;
    public static final int TARGET_TGID = 60;
    public static final int RET = 64;
    public static final int OP = 68;
    public static final int STAGE = 69;
    public static final int THREADGROUP = 70;
    public static final int DIRFD = 72;
    public static final int WRITER_EXEC_ID = 76;
    public static final int WRITER_COMM = 80;
    public static final int TARGET_COMM = 96;
    public static final int PATH = 112;
    public static final int DECISION_SIZE = 368;

    private RecordLayout() {
    }
}
