package dev.cgaudit.collector;

import java.util.Map;

/**
 * Linux errno values by number and name (asm-generic numbering, shared by x86-64 and arm64): the
 * names the decisions carry (errnoName) and the loader's messages use. Unlisted numbers get a
 * stable placeholder rather than a null, so an event always says something.
 */
public final class Errno {

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int E2BIG = 7;
    public static final int ENOSYS = 38;
    public static final int EOPNOTSUPP = 95;
    public static final int ENOTSUP = 95;
    public static final int ENOTSUPP = 524;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"),
            Map.entry(2, "ENOENT"),
            Map.entry(3, "ESRCH"),
            Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"),
            Map.entry(6, "ENXIO"),
            Map.entry(7, "E2BIG"),
            Map.entry(9, "EBADF"),
            Map.entry(11, "EAGAIN"),
            Map.entry(12, "ENOMEM"),
            Map.entry(13, "EACCES"),
            Map.entry(14, "EFAULT"),
            Map.entry(16, "EBUSY"),
            Map.entry(17, "EEXIST"),
            Map.entry(18, "EXDEV"),
            Map.entry(19, "ENODEV"),
            Map.entry(20, "ENOTDIR"),
            Map.entry(21, "EISDIR"),
            Map.entry(22, "EINVAL"),
            Map.entry(23, "ENFILE"),
            Map.entry(24, "EMFILE"),
            Map.entry(28, "ENOSPC"),
            Map.entry(30, "EROFS"),
            Map.entry(36, "ENAMETOOLONG"),
            Map.entry(38, "ENOSYS"),
            Map.entry(40, "ELOOP"),
            Map.entry(95, "EOPNOTSUPP"),
            Map.entry(110, "ETIMEDOUT"),
            Map.entry(524, "ENOTSUPP"));

    private Errno() {
    }

    /** "EACCES" for 13 or -13; null for 0 (no error); "ERRNO_n" for numbers not in the table. */
    public static String name(int errno) {
        int n = Math.abs(errno);
        if (n == 0) {
            return null;
        }
        return NAMES.getOrDefault(n, "ERRNO_" + n);
    }
}
