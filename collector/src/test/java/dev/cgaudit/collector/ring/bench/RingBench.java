package dev.cgaudit.collector.ring.bench;

import dev.cgaudit.collector.ring.EpollWaiter;
import dev.cgaudit.collector.ring.MappedRing;
import dev.cgaudit.collector.ring.RingBufferReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Java ring reader against libbpf's {@code ring_buffer__consume} on real kernel rings fed by
 * the same BPF producer, side by side in one run. libbpf's numbers come from the C harness
 * (ringbench.c), run as a child process just before the Java run of the same scenario; each
 * process loads its own copy of ringbench.bpf.o with the same ring sizes. Prints a Markdown table.
 *
 * <pre>
 *   RingBench HARNESS [reps] [drainRounds] [streamSeconds] [streamBurst]
 * </pre>
 *
 * Run it through collector/bench/ring-bench.sh, which builds everything first.
 */
public final class RingBench {

    private static final int DRAIN_BURST = 4096;
    private static final int WARMUP_ROUNDS = 5;

    /** One measured run: rate in records/s of what the consumer read, and the kernel's counts. */
    record Run(double rate, long records, long produced, long dropped, long gaps) {

        double dropPercent() {
            return produced == 0 ? 0 : 100.0 * dropped / produced;
        }
    }

    /** The Java reader configurations measured: how often it publishes its position. */
    enum Publish {
        PER_RECORD("Java per-record"),
        BATCHED("Java batched");

        final String label;

        Publish(String label) {
            this.label = label;
        }

        RingBufferReader reader(MappedRing ring, FieldReader fields) {
            return this == PER_RECORD
                    ? new RingBufferReader(ring, fields, RingBufferReader.PUBLISH_PER_RECORD)
                    : new RingBufferReader(ring, fields);
        }
    }

    private final String harness;
    private final int reps;
    private final int drainRounds;
    private final double streamSeconds;
    private final int streamBurst;

    private RingBench(String harness, int reps, int drainRounds, double streamSeconds, int streamBurst) {
        this.harness = harness;
        this.reps = reps;
        this.drainRounds = drainRounds;
        this.streamSeconds = streamSeconds;
        this.streamBurst = streamBurst;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: RingBench HARNESS [reps] [drainRounds] [streamSeconds] [streamBurst]");
            System.exit(2);
        }
        RingBenchProgram.unavailable().ifPresent(why -> {
            System.err.println("RingBench: " + why);
            System.exit(1);
        });
        RingBench bench = new RingBench(args[0],
                args.length > 1 ? Integer.parseInt(args[1]) : 3,
                args.length > 2 ? Integer.parseInt(args[2]) : 10,
                args.length > 3 ? Double.parseDouble(args[3]) : 3,
                args.length > 4 ? Integer.parseInt(args[4]) : 64);
        bench.warmUp();
        List<String> rows = new ArrayList<>();
        for (String ring : List.of("big", "small")) {
            for (int size : new int[] {64, 256}) {
                rows.add(bench.scenario("(a) drain", ring, size));
            }
        }
        for (int size : new int[] {64, 256}) {
            rows.add(bench.scenario("(b) stream", "small", size));
        }
        System.out.println();
        StringBuilder header = new StringBuilder("| scenario | ring | record | libbpf M rec/s |");
        StringBuilder rule = new StringBuilder("|---|---|---|---|");
        for (Publish p : Publish.values()) {
            header.append(' ').append(p.label).append(" M rec/s | ratio |");
            rule.append("---|---|");
        }
        System.out.println(header.append(" drops libbpf / Java (same order) |"));
        System.out.println(rule.append("---|"));
        rows.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "%nmedian of %d runs each; drain: rate of the median of %d fill+drain rounds per run, timed drain only; stream: consumed/s over %.1f s, bursts of %d%n",
                bench.reps, bench.drainRounds, bench.streamSeconds, bench.streamBurst);
    }

    private void warmUp() throws Exception {
        // the collector is a long-running process: measure compiled code, as libbpf's is compiled
        for (Publish p : Publish.values()) {
            drainJava(64, true, WARMUP_ROUNDS * 4, p);
            streamJava(64, 1, p);
        }
    }

    private String scenario(String name, String ring, int size) throws Exception {
        boolean stream = name.contains("stream");
        List<Run> c = new ArrayList<>();
        Map<Publish, List<Run>> java = new HashMap<>();
        for (int i = 0; i < reps; i++) {
            c.add(runHarness(stream, ring, size));
            for (Publish p : Publish.values()) {
                Run run = stream ? streamJava(size, streamSeconds, p) : drainJava(size, ring.equals("small"), drainRounds, p);
                java.computeIfAbsent(p, k -> new ArrayList<>()).add(run);
            }
        }
        Run cm = median(c);
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %s | %d B | %.1f |",
                name, ring.equals("big") ? "64 MiB" : "4 MiB", size, cm.rate / 1e6));
        StringBuilder drops = new StringBuilder(String.format(Locale.ROOT, " %.1f%%", cm.dropPercent()));
        StringBuilder runs = new StringBuilder("   runs: libbpf " + rates(c));
        for (Publish p : Publish.values()) {
            Run m = median(java.get(p));
            row.append(String.format(Locale.ROOT, " %.1f | %.2f× |", m.rate / 1e6, m.rate / cm.rate));
            drops.append(String.format(Locale.ROOT, " / %.1f%%", m.dropPercent()));
            runs.append(", ").append(p.label).append(' ').append(rates(java.get(p)));
        }
        row.append(drops).append(" |");
        System.err.println(row + runs.toString());
        return row.toString();
    }

    private static String rates(List<Run> runs) {
        StringBuilder sb = new StringBuilder();
        for (Run r : runs) {
            sb.append(String.format(Locale.ROOT, "%.1f ", r.rate / 1e6));
        }
        return sb.toString().trim();
    }

    private static Run median(List<Run> runs) {
        List<Run> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(Run::rate));
        return sorted.get(sorted.size() / 2);
    }

    /** (a): fill the ring until the producer drops, then time one consume() that drains it. */
    private static Run drainJava(int size, boolean small, int rounds, Publish publish) throws Exception {
        try (RingBenchProgram program = RingBenchProgram.load(size, DRAIN_BURST, small);
                MappedRing ring = MappedRing.map(program.ringFd(), program.ringSize())) {
            FieldReader fields = new FieldReader();
            RingBufferReader reader = publish.reader(ring, fields);
            double[] roundRates = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                long dropped = program.dropped();
                while (program.dropped() == dropped) {
                    program.trigger();
                }
                long before = fields.count();
                long t0 = System.nanoTime();
                reader.consume();
                long nanos = System.nanoTime() - t0;
                roundRates[i] = (fields.count() - before) / (nanos / 1e9);
            }
            // the median round, as ringbench.c reports it: robust against other load on the machine
            java.util.Arrays.sort(roundRates);
            return new Run(roundRates[rounds / 2], fields.count(), program.emitted() + program.dropped(),
                    program.dropped(), fields.gaps());
        }
    }

    /** (b): a producer thread triggers bursts for a fixed time; this thread waits in epoll and consumes. */
    private Run streamJava(int size, double seconds, Publish publish) throws Exception {
        try (RingBenchProgram program = RingBenchProgram.load(size, streamBurst, true);
                MappedRing ring = MappedRing.map(program.ringFd(), program.ringSize());
                EpollWaiter waiter = EpollWaiter.open(program.ringFd())) {
            FieldReader fields = new FieldReader();
            RingBufferReader reader = publish.reader(ring, fields);
            AtomicBoolean stop = new AtomicBoolean();
            Thread producer = new Thread(() -> {
                while (!stop.get()) {
                    program.trigger();
                }
            }, "ringbench-producer");
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            producer.start();
            while (System.nanoTime() < end) {
                reader.poll(waiter, 100);
            }
            stop.set(true);
            producer.join();
            reader.consume();
            double elapsed = (System.nanoTime() - t0) / 1e9;
            return new Run(fields.count() / elapsed, fields.count(), program.emitted() + program.dropped(),
                    program.dropped(), fields.gaps());
        }
    }

    private Run runHarness(boolean stream, String ring, int size) throws IOException, InterruptedException {
        List<String> cmd = stream
                ? List.of(harness, "stream", Integer.toString(size), Double.toString(streamSeconds), Integer.toString(streamBurst))
                : List.of(harness, "drain", Integer.toString(size), Integer.toString(drainRounds), ring);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            line = out.readLine();
        }
        if (p.waitFor() != 0 || line == null) {
            throw new IOException("C harness failed: " + String.join(" ", cmd));
        }
        Map<String, String> kv = new HashMap<>();
        for (String part : line.trim().split("\\s+")) {
            int eq = part.indexOf('=');
            kv.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return new Run(Double.parseDouble(kv.getOrDefault("median", kv.get("rate"))), Long.parseLong(kv.get("records")),
                Long.parseLong(kv.get("produced")), Long.parseLong(kv.get("dropped")), Long.parseLong(kv.get("gaps")));
    }
}
