package dev.cgaudit.demo;

import dev.cgaudit.collector.Cgroup2Mount;
import dev.cgaudit.collector.bpf.KernelCapabilities;
import dev.cgaudit.collector.bpf.KernelCapability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether this run can capture from the kernel, and if not, exactly what is missing: root (BPF,
 * chown of cgroup files, moving other users' processes), the cgroup2 mount, setpriv for the
 * unprivileged writer, and the kernel capabilities the collector probes (BTF, ring buffer, tp_btf).
 *
 * @param mount   the cgroup2 mount when the kernel is usable
 * @param missing one sentence per missing capability; empty when the kernel is usable
 */
record SourceChoice(Optional<Path> mount, List<String> missing) {

    boolean kernel() {
        return missing.isEmpty();
    }

    static SourceChoice probe() {
        List<String> missing = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            missing.add("not root (BPF capture, chown of cgroup files and moving other users' processes need it)");
        }
        Optional<Path> mount = Cgroup2Mount.find();
        if (mount.isEmpty()) {
            missing.add("no cgroup2 mount in /proc/self/mountinfo");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            missing.add("no /usr/bin/setpriv (util-linux) to run the unprivileged writer");
        }
        if (missing.isEmpty()) {
            for (KernelCapability cap : KernelCapabilities.probe()) {
                boolean needed = List.of(KernelCapabilities.BTF, KernelCapabilities.RINGBUF, KernelCapabilities.TP_BTF).contains(cap.name());
                if (needed && !cap.available()) {
                    missing.add(cap.name() + ": " + cap.detail());
                }
            }
        }
        return new SourceChoice(missing.isEmpty() ? mount : Optional.empty(), List.copyOf(missing));
    }
}
