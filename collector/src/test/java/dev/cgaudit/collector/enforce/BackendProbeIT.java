package dev.cgaudit.collector.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cgaudit.collector.Cgroup2Mount;
import dev.cgaudit.collector.bpf.KernelCapabilities;
import dev.cgaudit.collector.bpf.KernelCapability;
import dev.cgaudit.collector.bpf.LibBpf;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backends probed on the real kernel, the way the collector starts them: each bpf-lsm backend
 * reports exactly what the kernel said (here: the cgroup_attach hook absent from BTF, lsm programs
 * refused with EPERM), and the enforcer falls back to the first that works and says so.
 */
class BackendProbeIT {

    @TempDir
    Path stateDir;

    @Test
    void eachBackendIsProbedAndTheFallbackIsReported() throws Exception {
        assumeTrue(ProcessIdentity.effectiveUid() == 0, "not root: probing BPF programs needs root");
        Optional<Path> mount = Cgroup2Mount.find();
        assumeTrue(mount.isPresent(), "no cgroup2 mount");
        List<KernelCapability> kernel = KernelCapabilities.probe();
        boolean lsm = KernelCapabilities.find(kernel, KernelCapabilities.LSM).orElseThrow().available();
        KernelCapability hook = KernelCapabilities.lsmCgroupAttach(LibBpf.load());

        try (Enforcer enforcer = Enforcer.start(NodeEnforcement.candidates(mount, new EnforcerStateFile(stateDir)),
                Duration.ofHours(1))) {
            List<KernelCapability> caps = enforcer.capabilities();
            KernelCapability attach = find(caps, "enforce.bpf-lsm-cgroup-attach");
            KernelCapability file = find(caps, "enforce.bpf-lsm-file");
            KernelCapability dac = find(caps, "enforce.dac");

            assertThat(file.available()).as("file hooks load where lsm programs load: %s", file.detail()).isEqualTo(lsm);
            if (!lsm) {
                assertThat(file.detail()).contains("EPERM");
            }
            if (!hook.available()) {
                assertThat(attach.available()).isFalse();
                assertThat(attach.detail()).contains("bpf_lsm_cgroup_attach not in vmlinux BTF");
            }
            assertThat(dac.available()).isTrue();
            String expected = hook.available() && lsm ? BpfLsmCgroupAttachBackend.NAME : lsm ? BpfLsmFileBackend.NAME : DacBackend.NAME;
            assertThat(enforcer.backendName()).isEqualTo(expected);
            assertThat(caps).extracting(KernelCapability::name).contains("enforce." + expected + ".allowlist");
        }
    }

    private static KernelCapability find(List<KernelCapability> caps, String name) {
        return caps.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no capability " + name + " in " + caps));
    }
}
