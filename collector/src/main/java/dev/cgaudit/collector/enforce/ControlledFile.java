package dev.cgaudit.collector.enforce;

import dev.cgaudit.policy.Subtree;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One file the dac backend has taken under control, with what it was before: the record that
 * makes an exact restore possible, after a clean stop or a crash alike.
 *
 * @param cgroup   the cgroup's path relative to the cgroup2 mount ("/a/b")
 * @param file     {@code cgroup.procs} or {@code cgroup.threads}
 * @param cgroupId the cgroup's id (its directory's inode) when recorded: a cgroup removed and made
 *                 again under the same name is another cgroup, whose files were never ours
 * @param original owner, group and mode before the backend first changed the file
 */
public record ControlledFile(String cgroup, String file, long cgroupId, FileOwnership original) {

    public static final String PROCS = "cgroup.procs";
    public static final String THREADS = "cgroup.threads";

    public ControlledFile {
        Objects.requireNonNull(cgroup, "cgroup");
        Objects.requireNonNull(original, "original");
        // Normalised like a rule's subtree: a record can never name a file outside the mount.
        Subtree.problem(cgroup).ifPresent(p -> {
            throw new IllegalArgumentException("cgroup path '" + cgroup + "': " + p);
        });
        if (!PROCS.equals(file) && !THREADS.equals(file)) {
            throw new IllegalArgumentException("only cgroup.procs and cgroup.threads are controlled, not " + file);
        }
    }

    /** The file on the mount. */
    public Path path(Path mount) {
        return directory(mount).resolve(file);
    }

    /** The cgroup's directory on the mount. */
    public Path directory(Path mount) {
        return directory(mount, cgroup);
    }

    /** The directory of a cgroup given by its path relative to the mount. */
    static Path directory(Path mount, String cgroup) {
        return cgroup.equals("/") ? mount : mount.resolve(cgroup.substring(1));
    }

    /** Identity of the record: one per file. */
    public String key() {
        return key(cgroup, file);
    }

    static String key(String cgroup, String file) {
        return cgroup + (cgroup.endsWith("/") ? "" : "/") + file;
    }
}
