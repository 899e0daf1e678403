package dev.cgaudit.policy;

import java.util.List;

/**
 * One way a writer may be allowed by an allowlist rule: the writer must match every field that is
 * set (non-empty), each field being an any-of list. An empty list does not constrain; at least one
 * field must be set, since an entry without any would allow every writer.
 */
public record AllowEntry(List<String> exe, List<String> comm, List<Long> uid, List<Long> gid,
                         List<Subtree> writerCgroup) {

    public AllowEntry {
        exe = List.copyOf(exe);
        comm = List.copyOf(comm);
        uid = List.copyOf(uid);
        gid = List.copyOf(gid);
        writerCgroup = List.copyOf(writerCgroup);
        if (exe.isEmpty() && comm.isEmpty() && uid.isEmpty() && gid.isEmpty() && writerCgroup.isEmpty()) {
            throw new IllegalArgumentException("an allow entry must set at least one of exe, comm, uid, gid, writerCgroup");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds entries field by field, so that call sites name what they constrain. */
    public static final class Builder {
        private List<String> exe = List.of();
        private List<String> comm = List.of();
        private List<Long> uid = List.of();
        private List<Long> gid = List.of();
        private List<Subtree> writerCgroup = List.of();

        private Builder() {
        }

        public Builder exe(String... paths) {
            this.exe = List.of(paths);
            return this;
        }

        public Builder exe(List<String> paths) {
            this.exe = paths;
            return this;
        }

        public Builder comm(String... names) {
            this.comm = List.of(names);
            return this;
        }

        public Builder comm(List<String> names) {
            this.comm = names;
            return this;
        }

        public Builder uid(Long... uids) {
            this.uid = List.of(uids);
            return this;
        }

        public Builder uid(List<Long> uids) {
            this.uid = uids;
            return this;
        }

        public Builder gid(Long... gids) {
            this.gid = List.of(gids);
            return this;
        }

        public Builder gid(List<Long> gids) {
            this.gid = gids;
            return this;
        }

        public Builder writerCgroup(String... subtrees) {
            this.writerCgroup = java.util.Arrays.stream(subtrees).map(Subtree::of).toList();
            return this;
        }

        public Builder writerCgroup(List<Subtree> subtrees) {
            this.writerCgroup = subtrees;
            return this;
        }

        public AllowEntry build() {
            return new AllowEntry(exe, comm, uid, gid, writerCgroup);
        }
    }
}
