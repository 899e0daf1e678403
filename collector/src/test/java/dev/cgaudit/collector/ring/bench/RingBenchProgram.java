package dev.cgaudit.collector.ring.bench;

import dev.cgaudit.collector.bpf.BpfException;
import dev.cgaudit.collector.bpf.BpfMap;
import dev.cgaudit.collector.bpf.BpfObject;
import dev.cgaudit.collector.bpf.LibBpf;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The benchmark producer (src/bench/bpf/ringbench.bpf.c) loaded through the collector's libbpf
 * binding: a real ring buffer map and a tp_btf program that emits a burst of records into it each
 * time this process calls getpgid. Test code: used by MappedRingIT and RingBench.
 */
public final class RingBenchProgram implements AutoCloseable {

    /** Offsets of {@code struct rb_fields} (ringbench.h). */
    public static final int SEQ = 0;
    public static final int KTIME = 8;
    public static final int TGID = 16;
    public static final int CPU = 20;

    private static final String OBJECT = "/dev/cgaudit/collector/bpf/ringbench.bpf.o";
    private static final String SKIPPED = "/dev/cgaudit/collector/bpf/BUILD-SKIPPED.txt";
    private static final int STAT_EMITTED = 0;
    private static final int STAT_DROPPED = 1;

    /** glibc's getpgid is a plain syscall wrapper: one trigger, nothing cached. */
    public interface Trigger {
        int getpgid(int pid);
    }

    private final BpfObject object;
    private final BpfMap ring;
    private final BpfMap stats;
    private final Trigger trigger;
    private final Pointer key;
    private final Pointer value;

    private RingBenchProgram(BpfObject object, BpfMap ring, BpfMap stats, Trigger trigger) {
        this.object = object;
        this.ring = ring;
        this.stats = stats;
        this.trigger = trigger;
        Runtime rt = Runtime.getRuntime(object.lib());
        this.key = Memory.allocateDirect(rt, 4);
        this.value = Memory.allocateDirect(rt, 8);
    }

    /** Why the program cannot run here, if it cannot: not root, or the object was not built. */
    public static Optional<String> unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("needs root to load BPF programs (running as " + System.getProperty("user.name") + ")");
        }
        if (RingBenchProgram.class.getResource(OBJECT) == null) {
            try (InputStream in = RingBenchProgram.class.getResourceAsStream(SKIPPED)) {
                String why = in == null ? "not on the test classpath" : new String(in.readAllBytes()).trim();
                return Optional.of("ringbench.bpf.o was not built: " + why);
            } catch (IOException e) {
                return Optional.of("ringbench.bpf.o was not built");
            }
        }
        if (syscallNumber() < 0) {
            return Optional.of("no getpgid syscall number known for " + System.getProperty("os.arch"));
        }
        return Optional.empty();
    }

    private static long syscallNumber() {
        switch (System.getProperty("os.arch")) {
            case "amd64":
            case "x86_64":
                return 121;
            case "aarch64":
                return 155;
            default:
                return -1;
        }
    }

    /**
     * Loads and attaches the producer: {@code burst} records of {@code recordSize} (64 or 256)
     * bytes per trigger, into the 4 MiB ring ({@code smallRing}) or the 64 MiB one.
     */
    public static RingBenchProgram load(int recordSize, int burst, boolean smallRing) throws BpfException, IOException {
        byte[] elf;
        try (InputStream in = RingBenchProgram.class.getResourceAsStream(OBJECT)) {
            if (in == null) {
                throw new IOException(unavailable().orElse("ringbench.bpf.o missing"));
            }
            elf = in.readAllBytes();
        }
        LibBpf lib = LibBpf.load();
        BpfObject object = BpfObject.openMem(lib, "ringbench", elf);
        try {
            object.setRodataInt("target_tgid", (int) ProcessHandle.current().pid());
            object.setRodataLong("trigger_nr", syscallNumber());
            object.setRodataInt("burst", burst);
            object.setRodataInt("record_size", recordSize);
            object.setRodataInt("stream_ring", smallRing ? 1 : 0);
            object.load();
            object.attachAll();
            Trigger trigger = LibraryLoader.create(Trigger.class).load("c");
            return new RingBenchProgram(object, object.map(smallRing ? "ring_stream" : "ring_drain"),
                    object.map("stats"), trigger);
        } catch (BpfException | RuntimeException e) {
            object.close();
            throw e;
        }
    }

    public int ringFd() {
        return ring.fd();
    }

    public int ringSize() {
        return ring.maxEntries();
    }

    /** One burst, on the calling thread (any thread of this process). */
    public void trigger() {
        trigger.getpgid(0);
    }

    /** Records the program wrote into the ring so far. */
    public long emitted() {
        return stat(STAT_EMITTED);
    }

    /** Reservations that failed because the ring was full. */
    public long dropped() {
        return stat(STAT_DROPPED);
    }

    private synchronized long stat(int index) {
        key.putInt(0, index);
        int rc = object.lib().bpf_map_lookup_elem(stats.fd(), key, value);
        if (rc < 0) {
            throw new IllegalStateException("lookup of ringbench stats[" + index + "] failed: " + rc);
        }
        return value.getLong(0);
    }

    @Override
    public void close() {
        object.close();
    }
}
