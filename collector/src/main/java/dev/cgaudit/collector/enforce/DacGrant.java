package dev.cgaudit.collector.enforce;

import java.util.OptionalLong;

/**
 * Who, besides root, may write a protected {@code cgroup.procs}/{@code cgroup.threads}: at most one
 * uid (made the owner) and one gid (made the group). That is all DAC can say about one file.
 */
public record DacGrant(OptionalLong uid, OptionalLong gid) {

    /** Root only: root gets through DAC anyway (CAP_DAC_OVERRIDE), everyone else is refused. */
    public static final DacGrant ROOT_ONLY = new DacGrant(OptionalLong.empty(), OptionalLong.empty());

    /**
     * The file as it must be for this grant, from the file as it was before enforcement: the owner
     * becomes the granted uid (root when none: an owner may chmod its file, so a writer who is not
     * granted must not stay the owner), the group the granted gid (else it stays, without write),
     * nobody else may write; read bits are kept.
     */
    public FileOwnership applyTo(FileOwnership original) {
        int mode = (original.mode() & ~FileOwnership.WRITE_BITS) | FileOwnership.OWNER_WRITE
                | (gid.isPresent() ? FileOwnership.GROUP_WRITE : 0);
        return new FileOwnership(uid.orElse(0), gid.orElse(original.gid()), mode);
    }

    /** What both grants allow: files covered by two rules let through only writers both rules let through. */
    public DacGrant intersect(DacGrant other) {
        return new DacGrant(same(uid, other.uid), same(gid, other.gid));
    }

    private static OptionalLong same(OptionalLong a, OptionalLong b) {
        return a.isPresent() && b.isPresent() && a.getAsLong() == b.getAsLong() ? a : OptionalLong.empty();
    }

    @Override
    public String toString() {
        if (uid.isEmpty() && gid.isEmpty()) {
            return "root only";
        }
        StringBuilder b = new StringBuilder();
        uid.ifPresent(u -> b.append("uid=").append(u));
        gid.ifPresent(g -> b.append(b.length() > 0 ? " " : "").append("gid=").append(g));
        return b.toString();
    }
}
