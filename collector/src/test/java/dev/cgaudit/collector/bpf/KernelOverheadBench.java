package dev.cgaudit.collector.bpf;

import dev.cgaudit.collector.Cgroup2Mount;
import dev.cgaudit.collector.ring.EpollWaiter;
import dev.cgaudit.collector.ring.MappedRing;
import dev.cgaudit.collector.ring.RingBufferReader;
import dev.cgaudit.collector.source.RingPump;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Pointer;

/**
 * Kernel overhead of the capture program on real migrations: one {@code sleep} process moved
 * back and forth between two fresh cgroups by writing its pid to their {@code cgroup.procs},
 * {@code N} migrations per phase, with the probes detached and attached in alternating phases of
 * one run (so both see the same machine state), a consumer thread draining the ring meanwhile
 * (libbpf's ring_buffer__poll, counting records) so the attached phases pay for successful
 * reservations, not for a full ring. A benchmark, not a test: run it by hand as root.
 *
 * <pre>
 * mvn -q -pl collector -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp collector/target/test-classes:collector/target/classes:$(cat collector/target/cp.txt) \
 *     dev.cgaudit.collector.bpf.KernelOverheadBench [migrationsPerPhase=20000] [rounds=5] [wakeupBatchBytes=0] \
 *     [consumer=libbpf|collector] [probes=capture|floor]
 * </pre>
 *
 * <p>{@code probes=floor} attaches the floor variant (src/bench/bpf/cgaudit_floor.bpf.c): the same
 * hooks, programs that return at once. Its ratio is the most any capture on these hooks can reach.
 */
public final class KernelOverheadBench {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        // libbpf: ring_buffer__poll drains as fast as it can (woken per record when it keeps up);
        // collector: the collector's own reader loop (Java reader over the mapped ring, RingPump pacing).
        String consumer = args.length > 3 ? args[3] : "libbpf";
        String probeSet = args.length > 4 ? args[4] : "capture";
        String object = switch (probeSet) {
            case "capture" -> CollectorProbes.OBJECT;
            case "floor" -> "cgaudit_floor.bpf.o";
            default -> throw new IllegalArgumentException("probes: expected capture or floor, was " + probeSet);
        };
        Path mount = Cgroup2Mount.find().orElseThrow(() -> new IllegalStateException("no cgroup2 mount"));
        LibBpf lib = LibBpf.load();
        Process sleeper = new ProcessBuilder("sleep", "3600").start();
        try (TestCgroupTree tree = new TestCgroupTree(mount, "cgaudit-bench");
                CollectorProbes probes = CollectorProbes.load(lib, SyscallNumbers.host(), batch, object)) {
            Mover mover = new Mover(tree.create("x"), tree.create("y"), sleeper.pid());
            Drainer drainer = consumer.equals("collector") ? new PumpDrainer(probes.ringFd(), probes.ringSize())
                    : new LibbpfDrainer(lib, probes.ringFd());
            Thread drain = new Thread(drainer, "ring-drain");
            drain.start();
            try {
                mover.move(n / 10); // warm-up: JIT, kernel caches
                long[] nanos = new long[2];
                // CPU time of the migrating thread (the probes run in its context) and of the
                // reader thread: unlike wall time, not inflated by other load on a shared machine.
                long[] writerCpu = new long[2];
                long[] readerCpu = new long[2];
                double[] cpuRatios = new double[rounds];
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    long[] pair = new long[2];
                    long[] cpuPair = new long[2];
                    // Alternate which side goes first so drift hits both equally.
                    for (int k = 0; k < 2; k++) {
                        boolean attached = (r + k) % 2 == 1;
                        if (attached) {
                            probes.attach();
                        } else {
                            probes.detach();
                        }
                        long c0 = threads.getCurrentThreadCpuTime();
                        long d0 = threads.getThreadCpuTime(drain.getId());
                        long t0 = System.nanoTime();
                        mover.move(n);
                        pair[attached ? 1 : 0] = System.nanoTime() - t0;
                        cpuPair[attached ? 1 : 0] = threads.getCurrentThreadCpuTime() - c0;
                        readerCpu[attached ? 1 : 0] += threads.getThreadCpuTime(drain.getId()) - d0;
                    }
                    nanos[0] += pair[0];
                    nanos[1] += pair[1];
                    writerCpu[0] += cpuPair[0];
                    writerCpu[1] += cpuPair[1];
                    ratios[r] = (double) pair[0] / pair[1]; // rate attached / rate detached
                    cpuRatios[r] = (double) cpuPair[0] / cpuPair[1];
                }
                probes.detach();
                long total = (long) n * rounds;
                double detachedRate = total / (nanos[0] / 1e9);
                double attachedRate = total / (nanos[1] / 1e9);
                java.util.Arrays.sort(ratios);
                java.util.Arrays.sort(cpuRatios);
                System.out.printf("kernel %s, %d CPUs, load average %s, %d migrations per phase, %d rounds, wakeup batch %d bytes, consumer %s, probes %s%n",
                        System.getProperty("os.version"), Runtime.getRuntime().availableProcessors(), loadAverage(),
                        n, rounds, batch, consumer, probeSet);
                System.out.printf("%-10s %12s %10s %14s%n", "probes", "migrations", "seconds", "migrations/s");
                System.out.printf("%-10s %12d %10.3f %14.0f%n", "detached", total, nanos[0] / 1e9, detachedRate);
                System.out.printf("%-10s %12d %10.3f %14.0f%n", "attached", total, nanos[1] / 1e9, attachedRate);
                System.out.printf("ratio attached/detached: %.3f overall, %.3f median of %d paired rounds (min %.3f, max %.3f); goal >= 0.95%n",
                        attachedRate / detachedRate, ratios[rounds / 2], rounds, ratios[0], ratios[rounds - 1]);
                System.out.printf("writer CPU per migration: detached %.0f ns, attached %.0f ns; rate ratio by CPU time %.3f overall, "
                        + "%.3f median (min %.3f, max %.3f)%n", (double) writerCpu[0] / total, (double) writerCpu[1] / total,
                        (double) writerCpu[0] / writerCpu[1], cpuRatios[rounds / 2], cpuRatios[0], cpuRatios[rounds - 1]);
                System.out.printf("reader CPU per migration: detached phases %.0f ns, attached phases %.0f ns%n",
                        (double) readerCpu[0] / total, (double) readerCpu[1] / total);
                drainer.stop();
                drain.join(TimeUnit.SECONDS.toMillis(5));
                System.out.printf("records consumed: %d (expected >= %d%s), lost: %s%n",
                        drainer.records(), probeSet.equals("floor") ? 0 : total,
                        probeSet.equals("floor") ? ": the floor captures nothing" : "", probes.lost());
            } finally {
                drainer.stop();
                drain.join(TimeUnit.SECONDS.toMillis(5));
                drainer.close();
                mover.close();
                sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            sleeper.destroyForcibly();
        }
    }

    private static String loadAverage() throws IOException {
        return String.join(" ", java.util.Arrays.copyOf(
                java.nio.file.Files.readAllLines(Path.of("/proc/loadavg")).get(0).split(" "), 3));
    }

    /** Moves one process between two cgroups by writing its pid (files kept open). */
    private static final class Mover implements AutoCloseable {
        private final FileChannel x;
        private final FileChannel y;
        private final ByteBuffer pid;

        Mover(Path cgX, Path cgY, long target) throws IOException {
            x = FileChannel.open(cgX.resolve("cgroup.procs"), StandardOpenOption.WRITE);
            y = FileChannel.open(cgY.resolve("cgroup.procs"), StandardOpenOption.WRITE);
            pid = ByteBuffer.wrap((target + "\n").getBytes(StandardCharsets.US_ASCII));
        }

        void move(int migrations) throws IOException {
            for (int i = 0; i < migrations; i++) {
                FileChannel into = (i & 1) == 0 ? x : y;
                pid.rewind();
                if (into.write(pid) != pid.capacity()) {
                    throw new IOException("short write to cgroup.procs");
                }
            }
        }

        @Override
        public void close() throws IOException {
            x.close();
            y.close();
        }
    }

    /** Empties the ring while the benchmark runs, counting records. */
    private interface Drainer extends Runnable, AutoCloseable {
        void stop();

        long records();

        @Override
        void close() throws IOException;
    }

    /** The collector's reader: Java over the mapped ring, paced by RingPump. */
    private static final class PumpDrainer implements Drainer {
        private final MappedRing ring;
        private final EpollWaiter waiter;
        private final AtomicLong records = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);

        PumpDrainer(int ringFd, int ringSize) throws IOException {
            ring = MappedRing.map(ringFd, ringSize);
            waiter = EpollWaiter.open(ringFd);
        }

        @Override
        public void run() {
            RingBufferReader reader = new RingBufferReader(ring, record -> records.incrementAndGet());
            new RingPump(reader, waiter).run(() -> !running.get(), pass -> { });
        }

        @Override
        public void stop() {
            running.set(false);
        }

        @Override
        public long records() {
            return records.get();
        }

        @Override
        public void close() {
            waiter.close();
            ring.close();
        }
    }

    /** libbpf's consumer; blocks in epoll, no spinning. */
    private static final class LibbpfDrainer implements Drainer {
        private final LibBpf lib;
        private final AtomicLong records = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final LibBpf.RingBufferSampleFn count = (ctx, data, size) -> {
            records.incrementAndGet();
            return 0;
        };
        private final Pointer rb;

        LibbpfDrainer(LibBpf lib, int ringFd) throws BpfException {
            this.lib = lib;
            this.rb = lib.ring_buffer__new(ringFd, count, null, null);
            if (rb == null) {
                throw new BpfException("ring_buffer__new", jnr.ffi.Runtime.getRuntime(lib).getLastError(), "");
            }
        }

        @Override
        public void run() {
            while (running.get()) {
                lib.ring_buffer__poll(rb, 100);
            }
            lib.ring_buffer__consume(rb);
        }

        @Override
        public void stop() {
            running.set(false);
        }

        @Override
        public long records() {
            return records.get();
        }

        @Override
        public void close() {
            lib.ring_buffer__free(rb);
        }
    }
}
