package dev.cgaudit.collector.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.cgaudit.collector.Cgroup2Mount;

/**
 * The capability probe against this machine. It must report every capability with a reason, and
 * agree with what actually happens: tp_btf is available exactly when the capture program loads
 * and attaches; a refused lsm program names its errno. Runs unprivileged too (then the BPF
 * capabilities are reported unavailable with EPERM, which is the point).
 */
class KernelCapabilitiesIT {

    @Test
    void reportsEveryCapabilityWithADetail() {
        List<KernelCapability> caps = KernelCapabilities.probe();

        assertThat(caps).extracting(KernelCapability::name).containsExactlyInAnyOrder(
                KernelCapabilities.BTF, KernelCapabilities.CGROUP2, KernelCapabilities.RINGBUF,
                KernelCapabilities.TP_BTF, KernelCapabilities.LSM, KernelCapabilities.LSM_CGROUP_ATTACH);
        assertThat(caps).allSatisfy(c -> assertThat(c.detail()).as(c.name()).isNotBlank());
        assertThat(caps).allSatisfy(c -> assertThat(c.toCapability().getName()).isEqualTo(c.name()));
    }

    @Test
    void btfAndCgroup2AgreeWithTheFilesystem() {
        List<KernelCapability> caps = KernelCapabilities.probe();

        assertThat(cap(caps, KernelCapabilities.BTF).available())
                .isEqualTo(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")));
        assertThat(cap(caps, KernelCapabilities.CGROUP2).available()).isEqualTo(Cgroup2Mount.find().isPresent());
        Cgroup2Mount.find().ifPresent(m -> assertThat(cap(caps, KernelCapabilities.CGROUP2).detail()).isEqualTo(m.toString()));
    }

    @Test
    void tpBtfIsAvailableExactlyWhenTheCaptureProgramAttaches() throws Exception {
        boolean captureWorks;
        try (CollectorProbes probes = CollectorProbes.load(LibBpf.load(), SyscallNumbers.host())) {
            probes.attach();
            captureWorks = probes.attached();
        } catch (BpfException e) {
            captureWorks = false;
        }

        assertThat(cap(KernelCapabilities.probe(), KernelCapabilities.TP_BTF).available()).isEqualTo(captureWorks);
    }

    @Test
    void aRefusedLsmProgramSaysWhy() {
        KernelCapability lsm = cap(KernelCapabilities.probe(), KernelCapabilities.LSM);

        if (!lsm.available()) {
            assertThat(lsm.detail()).containsPattern("EPERM|EINVAL|ENOTSUPP|EOPNOTSUPP|ESRCH|ENOENT|not built|libbpf");
        } else {
            assertThat(lsm.detail()).contains("loaded cga_probe_lsm");
        }
    }

    private static KernelCapability cap(List<KernelCapability> caps, String name) {
        return KernelCapabilities.find(caps, name).orElseThrow();
    }
}
