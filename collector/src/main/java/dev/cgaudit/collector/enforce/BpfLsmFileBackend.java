package dev.cgaudit.collector.enforce;

import dev.cgaudit.collector.bpf.BpfException;
import dev.cgaudit.collector.bpf.BpfObject;
import dev.cgaudit.collector.bpf.KernelCapability;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Backend "bpf-lsm-file" ({@code src/main/bpf/enforce_file.bpf.c}): refuses, with EPERM, opening
 * or writing a protected subtree's {@code cgroup.procs}/{@code cgroup.threads} by a writer the rule
 * does not allow. Root included; no source, so into only; clone3 not seen.
 */
final class BpfLsmFileBackend extends BpfLsmBackend {

    static final String NAME = "bpf-lsm-file";
    static final String OBJECT = "enforce_file.bpf.o";

    private BpfLsmFileBackend(Path mount, BpfObject attached) throws BpfException {
        super(NAME, mount, attached, BpfRulePlanner.Hooks.FILE);
    }

    @Override
    public List<KernelCapability> kindCapabilities() {
        return List.of(
                new KernelCapability("enforce.bpf-lsm-file.allowlist", true, "moves into a subtree, by uid/gid/comm/exe/"
                        + "writer cgroup, root included; not moves out (no source), not clone3(CLONE_INTO_CGROUP)"),
                new KernelCapability("enforce.bpf-lsm-file.containment", false, "file hooks see no source cgroup"),
                new KernelCapability("enforce.bpf-lsm-file.denial-burst", false, DacPlanner.DETECTION_ONLY),
                new KernelCapability("enforce.bpf-lsm-file.churn", false, DacPlanner.DETECTION_ONLY),
                new KernelCapability("enforce.bpf-lsm-file.clone3", false, "clone3(CLONE_INTO_CGROUP) opens the cgroup directory, not cgroup.procs"));
    }

    static Candidate candidate(Optional<Path> mount) {
        return candidate(NAME, OBJECT, mount, Optional::empty, "loaded and attached lsm/file_open and lsm/file_permission",
                BpfLsmFileBackend::new);
    }
}
