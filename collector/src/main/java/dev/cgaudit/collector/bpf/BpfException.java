package dev.cgaudit.collector.bpf;

import dev.cgaudit.collector.Errno;

/**
 * A libbpf or kernel operation failed. Carries what was attempted, the positive errno libbpf
 * reported (EPERM when the kernel refuses a program type, ENOENT for a missing program or map,
 * ESRCH for a missing BTF type) and libbpf's message for it, so a user sees why.
 */
public class BpfException extends Exception {

    private final String operation;
    private final int errno;

    public BpfException(String operation, int errno, String detail) {
        super(operation + " failed: " + Errno.name(errno) + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.operation = operation;
        this.errno = Math.abs(errno);
    }

    /** What was attempted, e.g. "attach program cga_sys_enter". */
    public String operation() {
        return operation;
    }

    /** Positive errno, e.g. {@link Errno#EPERM}. */
    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }
}
