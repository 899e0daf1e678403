package dev.cgaudit.collector.enforce;

import dev.cgaudit.collector.bpf.BpfException;
import dev.cgaudit.collector.bpf.BpfObject;
import dev.cgaudit.collector.bpf.KernelCapabilities;
import dev.cgaudit.collector.bpf.KernelCapability;
import dev.cgaudit.collector.bpf.LibBpf;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Backend "bpf-lsm-cgroup-attach" ({@code src/main/bpf/enforce_attach.bpf.c}) on the hook proposed
 * upstream: sees task, source, destination and threadgroup on the write and the clone3 path, root
 * included, so every allowlist direction and containment are enforced. Used only where the
 * kernel's BTF has {@code bpf_lsm_cgroup_attach}; the object is not even loaded elsewhere.
 */
final class BpfLsmCgroupAttachBackend extends BpfLsmBackend {

    static final String NAME = "bpf-lsm-cgroup-attach";
    static final String OBJECT = "enforce_attach.bpf.o";

    private BpfLsmCgroupAttachBackend(Path mount, BpfObject attached) throws BpfException {
        super(NAME, mount, attached, BpfRulePlanner.Hooks.CGROUP_ATTACH);
    }

    @Override
    public List<KernelCapability> kindCapabilities() {
        return List.of(
                new KernelCapability("enforce.bpf-lsm-cgroup-attach.allowlist", true, "into, out of and any, by uid/gid/comm/"
                        + "exe/writer cgroup, root included, write(2) and clone3(CLONE_INTO_CGROUP)"),
                new KernelCapability("enforce.bpf-lsm-cgroup-attach.containment", true, "source and destination are both seen"),
                new KernelCapability("enforce.bpf-lsm-cgroup-attach.denial-burst", false, DacPlanner.DETECTION_ONLY),
                new KernelCapability("enforce.bpf-lsm-cgroup-attach.churn", false, DacPlanner.DETECTION_ONLY));
    }

    static Candidate candidate(Optional<Path> mount) {
        return candidate(NAME, OBJECT, mount, () -> {
            KernelCapability hook = KernelCapabilities.lsmCgroupAttach(LibBpf.load());
            return hook.available() ? Optional.empty() : Optional.of(hook.detail());
        }, "loaded and attached lsm.s/cgroup_attach", BpfLsmCgroupAttachBackend::new);
    }
}
