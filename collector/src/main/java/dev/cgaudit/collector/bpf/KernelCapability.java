package dev.cgaudit.collector.bpf;

import dev.cgaudit.schema.Capability;

/** One probed kernel capability: what, whether it works here, and why not / what was found. */
public record KernelCapability(String name, boolean available, String detail) {

    /** The StatusEvent form. */
    public Capability toCapability() {
        return Capability.newBuilder().setName(name).setAvailable(available).setDetail(detail).build();
    }
}
