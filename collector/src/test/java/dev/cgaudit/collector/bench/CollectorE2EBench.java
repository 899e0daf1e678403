package dev.cgaudit.collector.bench;

import static dev.cgaudit.collector.decode.RecordLayout.*;

import dev.cgaudit.collector.CollectorMetrics;
import dev.cgaudit.collector.Sequencer;
import dev.cgaudit.collector.decode.DecisionDecoder;
import dev.cgaudit.collector.enrich.CgroupPathResolver;
import dev.cgaudit.collector.enrich.DecisionEnricher;
import dev.cgaudit.collector.enrich.KernelClock;
import dev.cgaudit.collector.enrich.ProcessInfo;
import dev.cgaudit.collector.publish.KafkaDecisionSink;
import dev.cgaudit.collector.publish.KafkaSettings;
import dev.cgaudit.collector.publish.Spool;
import dev.cgaudit.collector.publish.SpoolConfig;
import dev.cgaudit.collector.ring.InMemoryRing;
import dev.cgaudit.collector.ring.RingBufferReader;
import dev.cgaudit.collector.ring.RingRecord;
import dev.cgaudit.collector.ring.RingWaiter;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.codec.EventCodec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Collector end to end — in-memory ring (kernel layout) → decode → enrich → Avro → spool → Kafka
 * — against kafka-producer-perf-test ({@code org.apache.kafka.tools.ProducerPerformance}) with the
 * same record size, acks=all, lz4, linger 5 ms, idempotence, one partition, on the same broker,
 * in one run. Args: BOOTSTRAP [RECORDS] [ROUNDS]. Run through collector/bench/e2e-bench.sh.
 */
public final class CollectorE2EBench {

    /** perf-test's steady-state summary: the rate after its warm-up records. */
    private static final Pattern PERF = Pattern.compile("(\\d+) steady state records sent, ([\\d.]+) records/sec");

    private CollectorE2EBench() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path mount = dev.cgaudit.collector.Cgroup2Mount.find().orElse(Path.of("/sys/fs/cgroup"));
        int recordBytes = encodedSize(mount);
        createTopic(bootstrap, "bench.perf");
        // Both sides are measured warm: perf-test (a new JVM every round) leaves its first fifth
        // out of its steady-state figure, and the pipeline runs the same number once, untimed.
        int warmup = Math.max(1, records / 5);
        collector(bootstrap, warmup, mount, 0);

        List<double[]> rows = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            double perf = perfTest(bootstrap, records, warmup, recordBytes);
            double ours = collector(bootstrap, records, mount, round);
            rows.add(new double[] {perf, ours});
            System.err.printf("round %d: perf-test %.0f/s, collector %.0f/s%n", round, perf, ours);
        }
        System.out.printf("%nCollector end to end vs kafka-producer-perf-test: %d records of %d B, acks=all, lz4, linger 5 ms, "
                + "idempotent, 1 partition; perf-test steady state after %d warm-up records, the pipeline after an untimed "
                + "pass of as many%n%n", records, recordBytes, warmup);
        System.out.println("| round | perf-test records/s | collector records/s | collector / perf-test |");
        System.out.println("| ---: | ---: | ---: | ---: |");
        double sumRatio = 0;
        for (int i = 0; i < rows.size(); i++) {
            double[] r = rows.get(i);
            sumRatio += r[1] / r[0];
            System.out.printf("| %d | %,.0f | %,.0f | %.2f× |%n", i + 1, r[0], r[1], r[1] / r[0]);
        }
        System.out.printf("| mean | | | %.2f× |%n", sumRatio / rows.size());
    }

    /** Size of one encoded decision as this bench produces it: perf-test sends records of the same size. */
    private static int encodedSize(Path mount) {
        DecisionEnricher enricher = enricher(mount);
        AttachDecision d;
        try {
            d = enricher.enrich(new DecisionDecoder().decode(RingRecord.copyOf(record(0))), 0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return EventCodec.of(AttachDecision.class).encode(d).length;
    }

    private static DecisionEnricher enricher(Path mount) {
        return new DecisionEnricher("bench-node", "bench-boot", "bench", KernelClock.system(),
                new CgroupPathResolver(mount), ProcessInfo.system());
    }

    /** A cga_decision as the kernel writes it: this process moving itself into the root cgroup. */
    static byte[] record(long i) {
        ByteBuffer b = ByteBuffer.allocate(DECISION_SIZE).order(ByteOrder.nativeOrder());
        int pid = (int) ProcessHandle.current().pid();
        b.put(HDR_TYPE, (byte) REC_DECISION).put(HDR_VERSION, (byte) ABI_VERSION)
                .putShort(HDR_FLAGS, (short) (F_ATTACHED | F_TARGET_PARSED | F_TARGET_FOUND | F_SRC_KNOWN | F_PATH_IS_DST))
                .putInt(HDR_SIZE, DECISION_SIZE).putLong(HDR_KTIME_NS, System.nanoTime())
                .putLong(DST_CGROUP_ID, 1).putLong(SRC_CGROUP_ID, 1).putLong(WRITER_CGROUP_ID, 1)
                .putInt(WRITER_PID, pid).putInt(WRITER_TGID, pid).putInt(TARGET_PID, (int) (1000 + i % 30000))
                .putInt(TARGET_TGID, (int) (1000 + i % 30000)).putInt(RET, 6)
                .put(OP, (byte) OP_PROCS_WRITE).put(STAGE, (byte) STAGE_WRITE).put(THREADGROUP, (byte) 1);
        b.put(WRITER_COMM, "systemd".getBytes(StandardCharsets.US_ASCII));
        b.put(TARGET_COMM, "nginx".getBytes(StandardCharsets.US_ASCII));
        b.put(PATH, "/system.slice/nginx.service".getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    private static double collector(String bootstrap, int records, Path mount, int round) throws Exception {
        Path spoolDir = Files.createTempDirectory("cgaudit-bench-spool");
        InMemoryRing ring = new InMemoryRing(16 << 20);
        CollectorMetrics metrics = new CollectorMetrics();
        DecisionEnricher enricher = enricher(mount);
        Sequencer seq = new Sequencer(0);
        DecisionDecoder decoder = new DecisionDecoder();
        Spool spool = Spool.open(new SpoolConfig(spoolDir, 4L << 30, 256L << 20, SpoolConfig.Fsync.INTERVAL,
                Duration.ofSeconds(1)));
        KafkaDecisionSink sink = new KafkaDecisionSink(spool, new KafkaSettings(bootstrap, "bench-" + round), metrics,
                Duration.ofMinutes(5));
        byte[][] templates = new byte[64][];
        for (int i = 0; i < templates.length; i++) {
            templates[i] = record(i);
        }
        Thread producer = new Thread(() -> {
            for (int i = 0; i < records; i++) {
                while (!ring.offer(templates[i & 63])) {
                    // The kernel does not spin on a full ring: waiting without burning a core keeps
                    // the stand-in from stealing CPU from the pipeline and the broker (it took the
                    // most samples in a profile when it spun).
                    LockSupport.parkNanos(50_000);
                }
            }
        }, "bench-kernel");
        RingBufferReader reader = new RingBufferReader(ring, record ->
                sink.accept(enricher.enrich(decoder.decode(record), seq.next())));
        long start = System.nanoTime();
        producer.start();
        try (RingWaiter waiter = ring.waiter()) {
            while (reader.totals().records() < records) {
                if (reader.poll(waiter, 100).records() > 0) {
                    sink.flush();
                }
            }
        }
        sink.flush();
        while (metrics.published.sum() < records) {
            TimeUnit.MILLISECONDS.sleep(1);
        }
        double rate = records / ((System.nanoTime() - start) / 1e9);
        producer.join();
        sink.close();
        return rate;
    }

    private static double perfTest(String bootstrap, int records, int warmup, int recordBytes) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.ProducerPerformance",
                "--topic", "bench.perf", "--num-records", Integer.toString(records),
                "--record-size", Integer.toString(recordBytes), "--throughput", "-1",
                "--warmup-records", Integer.toString(warmup),
                "--producer-props", "bootstrap.servers=" + bootstrap, "acks=all", "compression.type=lz4",
                "linger.ms=5", "batch.size=262144", "enable.idempotence=true");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String last = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (PERF.matcher(line).find()) {
                    last = line;
                }
            }
        }
        if (p.waitFor() != 0 || last == null) {
            throw new IllegalStateException("kafka-producer-perf-test failed (exit " + p.exitValue() + ")");
        }
        Matcher m = PERF.matcher(last);
        m.find();
        return Double.parseDouble(m.group(2));
    }

    private static void createTopic(String bootstrap, String name) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            if (!admin.listTopics().names().get().contains(name)) {
                admin.createTopics(List.of(new NewTopic(name, 1, (short) 1).configs(Map.of()))).all().get();
            }
        }
    }
}
