package dev.cgaudit.collector.enrich;

import java.util.Map;

/**
 * Symbolic names of the Linux errno values a migration can end with (asm-generic numbering, the
 * same on x86-64 and arm64). Unlisted numbers get a stable placeholder rather than a null, so
 * the JSON form always says something.
 */
public final class Errno {

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"), Map.entry(6, "ENXIO"), Map.entry(7, "E2BIG"), Map.entry(9, "EBADF"),
            Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"),
            Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"), Map.entry(18, "EXDEV"), Map.entry(19, "ENODEV"),
            Map.entry(20, "ENOTDIR"), Map.entry(21, "EISDIR"), Map.entry(22, "EINVAL"), Map.entry(23, "ENFILE"),
            Map.entry(24, "EMFILE"), Map.entry(28, "ENOSPC"), Map.entry(30, "EROFS"), Map.entry(36, "ENAMETOOLONG"),
            Map.entry(38, "ENOSYS"), Map.entry(40, "ELOOP"), Map.entry(95, "EOPNOTSUPP"), Map.entry(110, "ETIMEDOUT"));

    private Errno() {
    }

    /** "EACCES" for 13; null for 0 (no error); "ERRNO_n" for numbers not in the table. */
    public static String name(int errno) {
        if (errno == 0) {
            return null;
        }
        return NAMES.getOrDefault(errno, "ERRNO_" + errno);
    }
}
