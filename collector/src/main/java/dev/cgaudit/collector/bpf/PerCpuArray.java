package dev.cgaudit.collector.bpf;

import dev.cgaudit.collector.Errno;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Reads u64 slots of a {@code BPF_MAP_TYPE_PERCPU_ARRAY} by fd. The kernel returns one value per
 * <em>possible</em> CPU, each rounded up to 8 bytes, so the buffer is sized by
 * {@code libbpf_num_possible_cpus()}, not by the online CPUs.
 */
final class PerCpuArray {

    private final LibBpf lib;
    private final BpfMap map;
    private final int cpus;

    PerCpuArray(LibBpf lib, BpfMap map) throws BpfException {
        if (map.valueSize() != 8) {
            throw new BpfException("read per-CPU map " + map.name(), Errno.EINVAL,
                    "value size " + map.valueSize() + ", expected a u64 counter");
        }
        this.lib = lib;
        this.map = map;
        int n = lib.libbpf_num_possible_cpus();
        if (n <= 0) {
            throw new BpfException("count possible CPUs", -n, BpfObject.strerror(lib, n));
        }
        this.cpus = n;
    }

    /** The sum over CPUs of slot {@code index}. */
    long sum(int index) throws BpfException {
        Runtime rt = Runtime.getRuntime(lib);
        Pointer key = Memory.allocateDirect(rt, 4);
        key.putInt(0, index);
        Pointer values = Memory.allocateDirect(rt, 8L * cpus);
        int rc = lib.bpf_map_lookup_elem(map.fd(), key, values);
        if (rc < 0) {
            throw new BpfException("lookup " + map.name() + "[" + index + "]", -rc, BpfObject.strerror(lib, rc));
        }
        long sum = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
            sum += values.getLong(8L * cpu);
        }
        return sum;
    }
}
