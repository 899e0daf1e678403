package dev.cgaudit.collector.bpf;

import dev.cgaudit.collector.Cgroup2Mount;
import dev.cgaudit.collector.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jnr.ffi.Pointer;

/**
 * Asks the running kernel what the collector and enforcer can use, by trying it: a tp_btf program
 * is loaded and attached, an lsm program is loaded, a ring buffer map type is probed. Versions and
 * config files are not trusted (this machine's kernel has BPF LSM compiled in and still refuses lsm
 * programs with EPERM). The result goes into StatusEvent.capabilities.
 */
public final class KernelCapabilities {

    public static final String BTF = "btf";
    public static final String RINGBUF = "ringbuf";
    public static final String TP_BTF = "tp_btf";
    public static final String LSM = "lsm";
    public static final String LSM_CGROUP_ATTACH = "bpf_lsm_cgroup_attach";
    public static final String CGROUP2 = "cgroup2";

    static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");
    static final Path ACTIVE_LSMS = Path.of("/sys/kernel/security/lsm");
    private static final String PROBE_OBJECT = "capprobe.bpf.o";

    private KernelCapabilities() {
    }

    /** Probes everything; never throws for a missing capability, it reports it. */
    public static List<KernelCapability> probe() {
        List<KernelCapability> caps = new ArrayList<>();
        caps.add(btf());
        caps.add(cgroup2());
        LibBpf lib;
        try {
            lib = LibBpf.load();
        } catch (BpfException e) {
            for (String name : List.of(RINGBUF, TP_BTF, LSM, LSM_CGROUP_ATTACH)) {
                caps.add(new KernelCapability(name, false, e.getMessage()));
            }
            return caps;
        }
        caps.add(ringbuf(lib));
        caps.add(program(lib, TP_BTF, "cga_probe_tp_btf", true));
        caps.add(program(lib, LSM, "cga_probe_lsm", false));
        caps.add(lsmCgroupAttach(lib));
        return caps;
    }

    /** The probed capability called {@code name}, if {@code caps} has it. */
    public static Optional<KernelCapability> find(List<KernelCapability> caps, String name) {
        return caps.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    static KernelCapability btf() {
        if (!Files.isReadable(VMLINUX_BTF)) {
            return new KernelCapability(BTF, false, VMLINUX_BTF + " missing or unreadable (CONFIG_DEBUG_INFO_BTF)");
        }
        try {
            return new KernelCapability(BTF, true, VMLINUX_BTF + " (" + Files.size(VMLINUX_BTF) + " bytes)");
        } catch (IOException e) {
            return new KernelCapability(BTF, false, VMLINUX_BTF + ": " + e.getMessage());
        }
    }

    static KernelCapability cgroup2() {
        return Cgroup2Mount.find()
                .map(p -> new KernelCapability(CGROUP2, true, p.toString()))
                .orElseGet(() -> new KernelCapability(CGROUP2, false, "no cgroup2 mount in /proc/self/mountinfo"));
    }

    static KernelCapability ringbuf(LibBpf lib) {
        int rc = lib.libbpf_probe_bpf_map_type(LibBpf.BPF_MAP_TYPE_RINGBUF, null);
        if (rc == 1) {
            return new KernelCapability(RINGBUF, true, "BPF_MAP_TYPE_RINGBUF map created");
        }
        return new KernelCapability(RINGBUF, false, rc == 0 ? "kernel does not support BPF_MAP_TYPE_RINGBUF"
                : "probe failed: " + Errno.name(rc) + " (" + BpfObject.strerror(lib, rc) + ")");
    }

    /** Loads only {@code program} of the probe object (and attaches it when asked). */
    static KernelCapability program(LibBpf lib, String name, String program, boolean attach) {
        byte[] elf;
        try {
            elf = BpfResources.read(PROBE_OBJECT);
        } catch (BpfObjectMissingException e) {
            return new KernelCapability(name, false, e.getMessage());
        }
        // A refusal is the answer here, not an error: keep libbpf from printing it as one.
        jnr.ffi.Pointer previousPrint = lib.libbpf_set_print(null);
        try (BpfObject obj = BpfObject.openMem(lib, "capprobe", elf)) {
            for (String p : obj.programNames()) {
                obj.setAutoload(p, p.equals(program));
            }
            obj.load();
            if (attach) {
                obj.attach(program).close();
                return new KernelCapability(name, true, "loaded and attached " + program);
            }
            return new KernelCapability(name, true, "loaded " + program + activeLsms());
        } catch (BpfException e) {
            return new KernelCapability(name, false, e.getMessage() + (name.equals(LSM) ? activeLsms() : ""));
        } finally {
            lib.libbpf_set_print(previousPrint);
        }
    }

    /** Whether the kernel's BTF has the proposed cgroup_attach LSM hook (bpf_lsm_cgroup_attach). */
    public static KernelCapability lsmCgroupAttach(LibBpf lib) {
        Pointer btf = lib.btf__load_vmlinux_btf();
        if (btf == null) {
            return new KernelCapability(LSM_CGROUP_ATTACH, false, "vmlinux BTF not loadable");
        }
        try {
            boolean found = lib.btf__find_by_name_kind(btf, "bpf_lsm_cgroup_attach", LibBpf.BTF_KIND_FUNC) > 0;
            return new KernelCapability(LSM_CGROUP_ATTACH, found, found
                    ? "bpf_lsm_cgroup_attach found in vmlinux BTF"
                    : "bpf_lsm_cgroup_attach not in vmlinux BTF (the proposed hook is not in this kernel)");
        } finally {
            lib.btf__free(btf);
        }
    }

    private static String activeLsms() {
        try {
            return "; active LSMs: " + Files.readString(ACTIVE_LSMS).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
