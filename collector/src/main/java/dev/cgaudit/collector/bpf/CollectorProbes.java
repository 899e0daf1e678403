package dev.cgaudit.collector.bpf;

import dev.cgaudit.collector.Errno;
import java.util.List;

/**
 * The collector's kernel capture: loads the packaged {@code cgaudit.bpf.o}, sets the syscall
 * numbers of this architecture, and attaches its three tp_btf programs (sys_enter, sys_exit,
 * cgroup_attach_task). Exposes the ring buffer ({@value #RING_MAP}) for the ring reader and the
 * drop counters ({@value #LOST_MAP}) for StatusEvent.
 *
 * <pre>
 * try (CollectorProbes probes = CollectorProbes.load(LibBpf.load(), SyscallNumbers.host())) {
 *     probes.attach();
 *     reader.run(probes.ringFd(), probes.ringSize());
 * }
 * </pre>
 */
public final class CollectorProbes implements AutoCloseable {

    public static final String OBJECT = "cgaudit.bpf.o";
    public static final String RING_MAP = "cga_events";
    public static final String LOST_MAP = "cga_lost";
    /** Index of {@value #LOST_MAP} that counts pending-map insert failures (CGA_LOST_PENDING). */
    public static final int LOST_PENDING_INDEX = 0;
    /** CGA_REC_TYPE_MAX: size of {@value #LOST_MAP}. */
    public static final int REC_TYPE_MAX = 2;

    private final BpfObject object;
    private final BpfMap ring;
    private final PerCpuArray lost;
    private List<BpfLink> links = List.of();

    private CollectorProbes(BpfObject object, BpfMap ring, PerCpuArray lost) {
        this.object = object;
        this.ring = ring;
        this.lost = lost;
    }

    /**
     * Opens, configures and loads the capture program; nothing is attached yet.
     *
     * @throws BpfObjectMissingException the build packaged no object (no clang at build time, ...)
     * @throws BpfVerifierException the kernel rejected a program; carries the verifier log
     * @throws BpfException other refusals (EPERM without CAP_BPF/CAP_PERFMON, ...)
     */
    public static CollectorProbes load(LibBpf lib, SyscallNumbers nrs) throws BpfException {
        return load(lib, nrs, 0);
    }

    /**
     * As {@link #load(LibBpf, SyscallNumbers)}, with batched consumer wakeups: the program commits
     * without waking the reader until at least {@code wakeupBatchBytes} are waiting (0 = wake on
     * every commit that finds the reader caught up). With batching the reader must poll with a
     * timeout, or a quiet tail of fewer bytes stays in the ring until more decisions arrive.
     * Batching trades latency for CPU on busy nodes (see BENCHMARKS.md "Kernel overhead").
     */
    public static CollectorProbes load(LibBpf lib, SyscallNumbers nrs, int wakeupBatchBytes) throws BpfException {
        return load(lib, nrs, wakeupBatchBytes, OBJECT);
    }

    /** As above, from the packaged object {@code objectName}: the kernel-overhead bench loads its floor variant. */
    static CollectorProbes load(LibBpf lib, SyscallNumbers nrs, int wakeupBatchBytes, String objectName) throws BpfException {
        if (wakeupBatchBytes < 0) {
            throw new IllegalArgumentException("wakeupBatchBytes must be >= 0, was " + wakeupBatchBytes);
        }
        byte[] elf = BpfResources.read(objectName);
        BpfObject obj = BpfObject.openMem(lib, "cgaudit", elf);
        try {
            obj.setRodataLong("nr_write", nrs.write());
            obj.setRodataLong("nr_pwrite64", nrs.pwrite64());
            obj.setRodataLong("nr_writev", nrs.writev());
            obj.setRodataLong("nr_openat", nrs.openat());
            obj.setRodataLong("nr_openat2", nrs.openat2());
            obj.setRodataLong("nr_clone3", nrs.clone3());
            obj.setRodataInt("wakeup_batch_bytes", wakeupBatchBytes);
            obj.load();
            BpfMap lostMap = obj.map(LOST_MAP);
            if (lostMap.maxEntries() != REC_TYPE_MAX) {
                throw new BpfException("check map " + LOST_MAP, Errno.EINVAL, "has " + lostMap.maxEntries()
                        + " entries, the collector expects CGA_REC_TYPE_MAX = " + REC_TYPE_MAX);
            }
            return new CollectorProbes(obj, obj.map(RING_MAP), new PerCpuArray(lib, lostMap));
        } catch (BpfException | RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /** Attaches every program; decisions flow into the ring from now on. */
    public void attach() throws BpfException {
        if (links.isEmpty()) {
            links = object.attachAll();
        }
    }

    /** Detaches every program; the maps (and anything still in the ring) stay. */
    public void detach() {
        object.detachAll();
        links = List.of();
    }

    public boolean attached() {
        return !links.isEmpty();
    }

    /** fd of the {@code BPF_MAP_TYPE_RINGBUF} map, valid while this object is open. */
    public int ringFd() {
        return ring.fd();
    }

    /** Data size of the ring in bytes (a power of two, a multiple of the page size). */
    public int ringSize() {
        return ring.maxEntries();
    }

    /** Drop counters since load, summed over CPUs. */
    public LostCounters lost() throws BpfException {
        long[] byType = new long[REC_TYPE_MAX];
        for (int t = 1; t < REC_TYPE_MAX; t++) {
            byType[t] = lost.sum(t);
        }
        return new LostCounters(lost.sum(LOST_PENDING_INDEX), byType);
    }

    @Override
    public void close() {
        object.close();
    }
}
