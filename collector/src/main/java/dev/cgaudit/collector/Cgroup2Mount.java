package dev.cgaudit.collector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the cgroup v2 hierarchy is mounted, from {@code /proc/self/mountinfo}. Never assume
 * {@code /sys/fs/cgroup}: hybrid systems mount v1 controllers there and v2 at
 * {@code /sys/fs/cgroup/unified}. cgroup ids (= inode numbers of the cgroup directories) are
 * resolved to paths relative to this mount.
 */
public final class Cgroup2Mount {

    static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private Cgroup2Mount() {
    }

    /** The cgroup2 mount point of this process' mount namespace, if any. */
    public static Optional<Path> find() {
        try {
            // Line by line: procfs files report size 0, and a sized read of some of them
            // (sysctls) was seen to return a single byte.
            return parse(String.join("\n", Files.readAllLines(MOUNTINFO)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + MOUNTINFO, e);
        }
    }

    /**
     * The cgroup2 mount point in mountinfo text (proc(5)): {@code ID PARENT MAJ:MIN ROOT MOUNTPOINT
     * OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS}. A mount of the hierarchy's root (ROOT
     * "/") wins over a bind mount of a sub-cgroup, since ids map to paths from the root; otherwise
     * the first cgroup2 mount.
     */
    public static Optional<Path> parse(String mountinfo) {
        Path subtreeMount = null;
        for (String line : mountinfo.split("\n")) {
            String[] f = line.trim().split(" ");
            int dash = indexOf(f, "-");
            if (dash < 6 || dash + 1 >= f.length || !f[dash + 1].equals("cgroup2")) {
                continue;
            }
            Path mountPoint = Path.of(unescape(f[4]));
            if (unescape(f[3]).equals("/")) {
                return Optional.of(mountPoint);
            }
            if (subtreeMount == null) {
                subtreeMount = mountPoint;
            }
        }
        return Optional.ofNullable(subtreeMount);
    }

    private static int indexOf(String[] fields, String s) {
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].equals(s)) {
                return i;
            }
        }
        return -1;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
    static String unescape(String field) {
        StringBuilder sb = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1) && isOctal(field, i + 2) && isOctal(field, i + 3)) {
                sb.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isOctal(String s, int i) {
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7';
    }
}
