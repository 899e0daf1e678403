package dev.cgaudit.collector.bpf;

import dev.cgaudit.collector.Errno;

/**
 * The compiled BPF object is not on the classpath: the build skipped it (no clang, libbpf headers,
 * bpftool or kernel BTF at build time) and said why in BUILD-SKIPPED.txt next to where it would be.
 */
public final class BpfObjectMissingException extends BpfException {

    private final String reason;

    public BpfObjectMissingException(String resource, String reason) {
        super("load " + resource, Errno.ENOENT, reason);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    @Override
    public String getMessage() {
        return "BPF object not built: " + reason + " (rebuild the collector with clang, libbpf-dev and bpftool"
                + " installed on a machine with /sys/kernel/btf/vmlinux)";
    }
}
