package dev.cgaudit.collector.bpf;

import dev.cgaudit.collector.Errno;

/**
 * The syscall numbers the capture program watches, per architecture. They go into the program's
 * {@code const volatile} globals before load (the program has no #defines for them), because the
 * numbers differ between architectures: arm64 uses the generic table (write 64), x86-64 its own.
 */
public record SyscallNumbers(long write, long pwrite64, long writev, long openat, long openat2, long clone3) {

    /** arch/x86/entry/syscalls/syscall_64.tbl */
    public static final SyscallNumbers X86_64 = new SyscallNumbers(1, 18, 20, 257, 437, 435);
    /** include/uapi/asm-generic/unistd.h (arm64) */
    public static final SyscallNumbers ARM64 = new SyscallNumbers(64, 68, 66, 56, 437, 435);

    /** For {@code System.getProperty("os.arch")}. */
    public static SyscallNumbers forArch(String osArch) throws BpfException {
        switch (osArch) {
            case "amd64":
            case "x86_64":
                return X86_64;
            case "aarch64":
            case "arm64":
                return ARM64;
            default:
                throw new BpfException("choose syscall numbers", Errno.EOPNOTSUPP,
                        "architecture " + osArch + " is not supported (x86-64 and arm64 are)");
        }
    }

    public static SyscallNumbers host() throws BpfException {
        return forArch(System.getProperty("os.arch"));
    }
}
