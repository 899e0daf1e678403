package dev.cgaudit.collector.decode;

/**
 * One {@code struct cga_decision} as the kernel wrote it, before enrichment (paths, exe, wall
 * clock, sequence). Numbers keep the kernel's meaning: {@code ret} is the syscall result, ids are
 * kernfs ids, 0 or -1 mean "unknown" as documented in cgaudit.h; {@code flags} tells which
 * optional parts are valid.
 */
public record RawDecision(
        int flags,
        long ktimeNs,
        long dstCgroupId,
        long srcCgroupId,
        long writerCgroupId,
        int writerPid,
        int writerTgid,
        long writerUid,
        long writerGid,
        int targetPid,
        int targetTgid,
        int ret,
        int op,
        int stage,
        boolean threadgroup,
        int dirfd,
        int writerExecId,
        String writerComm,
        String targetComm,
        String path) {

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public boolean allowed() {
        return ret >= 0;
    }

    /** The positive errno of a denial, 0 when allowed. */
    public int errno() {
        return ret >= 0 ? 0 : -ret;
    }
}
