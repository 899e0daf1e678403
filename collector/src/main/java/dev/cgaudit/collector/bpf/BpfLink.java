package dev.cgaudit.collector.bpf;

import jnr.ffi.Pointer;

/** One attached program; closing it detaches the program (bpf_link__destroy). Idempotent. */
public final class BpfLink implements AutoCloseable {

    private final LibBpf lib;
    private final String program;
    private Pointer link;

    BpfLink(LibBpf lib, String program, Pointer link) {
        this.lib = lib;
        this.program = program;
        this.link = link;
    }

    public String program() {
        return program;
    }

    public boolean attached() {
        return link != null;
    }

    @Override
    public void close() {
        if (link != null) {
            lib.bpf_link__destroy(link);
            link = null;
        }
    }
}
