package dev.cgaudit.collector.bpf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.cgaudit.collector.Cgroup2Mount;
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
 *     dev.cgaudit.collector.bpf.KernelOverheadBench [migrationsPerPhase=20000] [rounds=5] [wakeupBatchBytes=0]
 * </pre>
 */
public final class KernelOverheadBench {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        Path mount = Cgroup2Mount.find().orElseThrow(() -> new IllegalStateException("no cgroup2 mount"));
        LibBpf lib = LibBpf.load();
        Process sleeper = new ProcessBuilder("sleep", "3600").start();
        try (TestCgroupTree tree = new TestCgroupTree(mount, "cgaudit-bench");
                CollectorProbes probes = CollectorProbes.load(lib, SyscallNumbers.host(), batch)) {
            Mover mover = new Mover(tree.create("x"), tree.create("y"), sleeper.pid());
            Drainer drainer = new Drainer(lib, probes.ringFd());
            Thread drain = new Thread(drainer, "ring-drain");
            drain.start();
            try {
                mover.move(n / 10); // warm-up: JIT, kernel caches
                long[] nanos = new long[2];
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    long[] pair = new long[2];
                    // Alternate which side goes first so drift hits both equally.
                    for (int k = 0; k < 2; k++) {
                        boolean attached = (r + k) % 2 == 1;
                        if (attached) {
                            probes.attach();
                        } else {
                            probes.detach();
                        }
                        long t0 = System.nanoTime();
                        mover.move(n);
                        pair[attached ? 1 : 0] = System.nanoTime() - t0;
                    }
                    nanos[0] += pair[0];
                    nanos[1] += pair[1];
                    ratios[r] = (double) pair[0] / pair[1]; // rate attached / rate detached
                }
                probes.detach();
                long total = (long) n * rounds;
                double detachedRate = total / (nanos[0] / 1e9);
                double attachedRate = total / (nanos[1] / 1e9);
                java.util.Arrays.sort(ratios);
                System.out.printf("kernel %s, %d CPUs, load average %s, %d migrations per phase, %d rounds, wakeup batch %d bytes%n",
                        System.getProperty("os.version"), Runtime.getRuntime().availableProcessors(), loadAverage(),
                        n, rounds, batch);
                System.out.printf("%-10s %12s %10s %14s%n", "probes", "migrations", "seconds", "migrations/s");
                System.out.printf("%-10s %12d %10.3f %14.0f%n", "detached", total, nanos[0] / 1e9, detachedRate);
                System.out.printf("%-10s %12d %10.3f %14.0f%n", "attached", total, nanos[1] / 1e9, attachedRate);
                System.out.printf("ratio attached/detached: %.3f overall, %.3f median of %d paired rounds (min %.3f, max %.3f); goal >= 0.95%n",
                        attachedRate / detachedRate, ratios[rounds / 2], rounds, ratios[0], ratios[rounds - 1]);
                drainer.stop();
                drain.join(TimeUnit.SECONDS.toMillis(5));
                System.out.printf("records consumed: %d (expected >= %d), lost: %s%n",
                        drainer.records.get(), total, probes.lost());
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

    /** Empties the ring while the benchmark runs, counting records; blocks in epoll, no spinning. */
    private static final class Drainer implements Runnable, AutoCloseable {
        private final LibBpf lib;
        private final AtomicLong records = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final LibBpf.RingBufferSampleFn count = (ctx, data, size) -> {
            records.incrementAndGet();
            return 0;
        };
        private final Pointer rb;

        Drainer(LibBpf lib, int ringFd) throws BpfException {
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

        void stop() {
            running.set(false);
        }

        @Override
        public void close() {
            lib.ring_buffer__free(rb);
        }
    }
}
