package dev.cgaudit.collector.enforce;

import dev.cgaudit.collector.bpf.KernelCapability;

/** Whether an enforcement backend works on this node, and what was found or why not. */
public record BackendProbe(String backend, boolean available, String detail) {

    /** The StatusEvent capability: {@code enforce.BACKEND}. */
    public KernelCapability toCapability() {
        return new KernelCapability(capabilityName(backend), available, detail);
    }

    static String capabilityName(String backend) {
        return "enforce." + backend;
    }
}
