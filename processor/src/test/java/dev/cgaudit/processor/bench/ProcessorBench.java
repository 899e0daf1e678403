package dev.cgaudit.processor.bench;

import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.command.CommandSigner;
import dev.cgaudit.policy.command.KeyFiles;
import dev.cgaudit.policy.command.PolicyCommands;
import dev.cgaudit.policy.command.SigningKey;
import dev.cgaudit.policy.command.TrustStore;
import dev.cgaudit.processor.LiveJob;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.Topics;
import dev.cgaudit.processor.policy.RuleChanges;
import dev.cgaudit.processor.policy.TrustedKeys;
import dev.cgaudit.processor.replay.ReplayInput;
import dev.cgaudit.processor.replay.ReplayJob;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.RuleKind;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.sink.archive.ArchiveLayout;
import dev.cgaudit.testing.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Decisions per second through the live job (MiniCluster, parallelism 2, from a pre-filled Kafka
 * topic, violations to Kafka exactly-once) and through BATCH replay, from two Avro files of all
 * nodes ("replay") and from a folder in the sink's archive layout, a file per node ("archive"); prints a table.
 *
 * <pre>
 * processor/bench/run.sh [DECISIONS] [live,replay,archive | live-cold]
 * </pre>
 *
 * <p>"live" first runs the same job un-timed over {@value #WARM_UP} decisions on topics of their own
 * (so the JVM's start is not timed; the timed job's own start, about a fifth of its CPU in the JIT at
 * 2M decisions, still is: processor/BENCHMARKS.md); "live-cold" times a fresh JVM's first job. Both time the job from its
 * submission to a MiniCluster started before (a long-running job does not pay for its cluster's start).
 */
public final class ProcessorBench {

    static final double LIVE_GOAL_PER_CORE = 100_000;
    static final double REPLAY_GOAL = 300_000;
    static final int PARTITIONS = 4;
    static final int JOB_PARALLELISM = 2;
    /** Decisions of the un-timed warm-up run (mode "live"; "live-cold" skips it), unless {@code -Dbench.warmUp=N}. */
    static final int WARM_UP = Integer.getInteger("bench.warmUp", 100_000);
    /** The job's defaults unless {@code -Dbench.timerGranularityMs=N} (both modes) says otherwise. */
    static final ProcessorSettings SETTINGS = ProcessorSettings.DEFAULTS.withTimerGranularity(Duration.ofMillis(
            Long.getLong("bench.timerGranularityMs", ProcessorSettings.DEFAULTS.timerGranularity().toMillis())));
    /** {@code cgaudit processor}'s default unless {@code -Dbench.checkpointIntervalMs=N}. */
    static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(Long.getLong("bench.checkpointIntervalMs", 5_000));

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        String modes = args.length > 1 ? args[1] : "live,replay,archive";
        int cores = Runtime.getRuntime().availableProcessors();
        List<String[]> rows = new ArrayList<>();
        Path dir = Files.createTempDirectory("cgaudit-bench-");

        KafkaBrokerExtension kafka = new KafkaBrokerExtension().withPartitions(Topic.DECISIONS, PARTITIONS);
        kafka.beforeAll(null);
        MiniCluster flink = null;
        try {
            SigningKey key = SigningKey.of(KeyFiles.generate());
            CommandSigner signer = new CommandSigner(key);
            PolicyCommands commands = new PolicyCommands("bench", Clock.fixed(BenchFleet.T0.minusSeconds(3600), ZoneOffset.UTC));
            List<PolicyRule> rules = new ArrayList<>(BenchFleet.rules());
            // A marker rule: one violation per partition at the end tells when the live job is through.
            rules.add(PolicyRule.builder("bench-end", RuleKind.ALLOWLIST, "/bench-end")
                    .allow(AllowEntry.builder().exe("/nobody").build()).build());
            List<PolicyCommand> policy = rules.stream().map(r -> signer.sign(commands.upsert(r, 1, "bench"))).toList();
            if (modes.contains("live")) {
                // One cluster for the warm-up and the timed job, as a long-running job has one: the timed
                // window is the job's, not the cluster's start (RPC system, JobManager, TaskManager).
                flink = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(new Configuration())
                        .setNumTaskManagers(1).setNumSlotsPerTaskManager(JOB_PARALLELISM).build());
                flink.start();
                TrustedKeys trust = TrustedKeys.of(List.of(new TrustStore.TrustedKey(key.keyId(), "bench", key.publicKey())));
                boolean warmUp = !modes.contains("cold");
                int warm = WARM_UP;
                Topics warmTopics = Topics.prefixed("warm.");
                // Both topics are filled first, so the timed job starts right after the warm-up: in the
                // seconds of a fill the JIT's sweeper dropped code the warm-up had compiled, and the timed
                // job compiled it again.
                if (warmUp) {
                    createTopics(kafka, warmTopics);
                    fill(kafka, warmTopics, policy, warm, 41);
                }
                fill(kafka, Topics.DEFAULT, policy, n, 42);
                if (warmUp) {
                    // The same job on a small topic first, un-timed, in this JVM: a long-running job has its
                    // code compiled long since; without this a quarter of the live run's CPU was the JIT.
                    Timed w = runLive(flink, kafka, warmTopics, trust, dir.resolve("warm-checkpoints"), "bench-warm", warm);
                    System.err.printf("warm-up: %,d decisions in %.1f s, %.1f CPU s (not counted)%n", warm, w.seconds(), w.cpuSeconds());
                }
                Timed live = runLive(flink, kafka, Topics.DEFAULT, trust, dir.resolve("checkpoints"), "bench", n);
                rows.add(row("live (Kafka → MiniCluster p=2 → Kafka EOS)" + (modes.contains("cold") ? ", cold" : ", warm"),
                        n, live.seconds(), live.cpuSeconds(), cores, LIVE_GOAL_PER_CORE * cores,
                        live.violations() + " violations, " + live.shares().describe(n)));
            }

            if (modes.contains("replay") || modes.contains("archive")) {
                List<RuleChange> changes = RuleChanges.fromFile(BenchFleet.rules(), "bench");
                Configuration batch = new Configuration();
                // BATCH sorts each keyed input in managed memory; the MiniCluster's default makes it spill to disk.
                batch.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("2g"));
                ReplayJob.run(ReplayJob.environment(2, batch),
                        new ReplayInput.Files(List.of(writeAvro(dir.resolve("warm.avro"), 10_000, 45))), changes, ReplayJob.Range.ALL,
                        SETTINGS);   // warms up the JIT; its own MiniCluster
                if (modes.contains("replay")) {
                    // Two files, so both source subtasks read (one file is one split).
                    Path files = Files.createDirectories(dir.resolve("files"));
                    writeAvro(files.resolve("part-0.avro"), n / 2, 43);
                    writeAvro(files.resolve("part-1.avro"), n - n / 2, 44);
                    rows.add(timedReplay("replay (Avro file → BATCH p=2, collected)", files, n, changes, batch, cores));
                }
                if (modes.contains("archive")) {
                    Path archive = writeArchive(dir.resolve("archive"), n);
                    rows.add(timedReplay("replay (archive folder → BATCH p=2, collected)", archive, n, changes, batch, cores));
                }
            }
        } finally {
            if (flink != null) {
                flink.close();
            }
            kafka.afterAll(null);
            // The replay files and checkpoints of a 2M run are ~300 MB: a run leaves nothing behind.
            FileUtils.deleteDirectory(dir.toFile());
        }
        print(rows, cores);
        System.exit(0);
    }

    record Keyed(String key, byte[] value, Integer partition) {
    }

    record Timed(double seconds, double cpuSeconds, long violations, JvmCpuShares shares) {
    }

    /** Publishes the policy to {@code topics.policy()} and {@code n} decisions to {@code topics.decisions()}. */
    static void fill(KafkaBrokerExtension kafka, Topics topics, List<PolicyCommand> policy, int n, long seed) throws Exception {
        publish(kafka, topics.policy(), policy.stream().map(c -> new Keyed(c.getRuleId(),
                EventCodec.of(PolicyCommand.class).encode(c), null)).toList());
        System.err.printf("pre-filling %s with %,d decisions of %d nodes...%n", topics.decisions(), n, BenchFleet.NODES);
        long fill = System.nanoTime();
        prefill(kafka, topics.decisions(), n, seed);
        System.err.printf("pre-filled in %.1f s%n", (System.nanoTime() - fill) / 1e9);
    }

    /** Times the live job through the decisions {@link #fill} put in {@code topics}. */
    static Timed runLive(MiniCluster flink, KafkaBrokerExtension kafka, Topics topics, TrustedKeys trust,
            Path checkpoints, String transactionalIdPrefix, long decisions) throws Exception {
        StreamExecutionEnvironment env = new TestStreamEnvironment(flink, JOB_PARALLELISM);
        LiveJob.define(env, new LiveJob.Config(kafka.bootstrapServers(), topics, "bench", transactionalIdPrefix + "-" + System.nanoTime(),
                trust, SETTINGS, CHECKPOINT_INTERVAL, checkpoints.toUri().toString(),
                LiveJob.policyEndOffsets(kafka.bootstrapServers(), topics.policy(), Duration.ofSeconds(10))));
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        JvmCpuShares shares = JvmCpuShares.now();
        JobClient job = env.executeAsync("bench live");
        awaitEndMarkers(kafka, topics.violations(), job);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
        JvmCpuShares used = JvmCpuShares.now().since(shares);
        if (Boolean.getBoolean("bench.threads")) {
            System.err.printf("%s: CPU by thread group%n%s", transactionalIdPrefix, used.busiestThreads(
                    decisions, 20));
        }
        // When the markers are readable, every router subtask's findings before them are committed
        // (one transaction per subtask and checkpoint), but the reader need not have read all of the
        // topic's partitions yet: counted afterwards, not timed, once nothing more arrives.
        Timed timed = new Timed(seconds, cpuSeconds, settledCount(kafka, topics.violations()), used);
        job.cancel().get();
        // Until the job is gone, so the next run has the cores.
        job.getJobExecutionResult().handle((r, e) -> null).get();
        return timed;
    }

    static void createTopics(KafkaBrokerExtension kafka, Topics topics) {
        kafka.createTopic(topics.decisions(), PARTITIONS, Topic.DECISIONS.configs());
        kafka.createTopic(topics.policy(), 1, Topic.POLICY.configs());
        kafka.createTopic(topics.status(), 1, Topic.STATUS.configs());
        kafka.createTopic(topics.violations(), 1, Topic.VIOLATIONS.configs());
    }

    static void prefill(KafkaBrokerExtension kafka, String topic, int n, long seed) throws Exception {
        EventCodec<AttachDecision> codec = EventCodec.of(AttachDecision.class);
        BenchFleet fleet = new BenchFleet(seed);
        var props = kafka.producerProperties();
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < n; i++) {
                AttachDecision d = fleet.next();
                producer.send(new ProducerRecord<>(topic, d.getNode().getBytes(StandardCharsets.UTF_8), codec.encode(d)));
            }
            // One marker violation per partition, then a tail far later so every partition's watermark passes it.
            for (int p = 0; p < PARTITIONS; p++) {
                AttachDecision last = fleet.next();
                String node = markerNode(p);
                AttachDecision marker = AttachDecision.newBuilder(last).setNode(node).setEventId(node + "/boot/0")
                        .setSeq(0).setTimestamp(last.getTimestamp().plusSeconds(1))
                        .setDestination(dev.cgaudit.schema.CgroupRef.newBuilder().setId(3).setPath("/bench-end").build()).build();
                AttachDecision tail = AttachDecision.newBuilder(marker).setEventId(node + "/boot/1").setSeq(1)
                        .setTimestamp(last.getTimestamp().plusSeconds(3600)).setDestination(
                                dev.cgaudit.schema.CgroupRef.newBuilder().setId(4).setPath("/tail").build()).build();
                producer.send(new ProducerRecord<>(topic, p, marker.getNode().getBytes(StandardCharsets.UTF_8), codec.encode(marker)));
                producer.send(new ProducerRecord<>(topic, p, tail.getNode().getBytes(StandardCharsets.UTF_8), codec.encode(tail)));
            }
            producer.flush();
        }
    }

    /**
     * The marker node of partition {@code p}, named so that the markers fall on every router subtask
     * in turn: a subtask's marker is committed after all its other findings, so the clock stops
     * when the slowest subtask is through, not the first one whose markers happen to be all of them.
     */
    static String markerNode(int p) {
        int subtask = p % JOB_PARALLELISM;
        int maxParallelism = KeyGroupRangeAssignment.computeDefaultMaxParallelism(JOB_PARALLELISM);
        for (int i = 0; ; i++) {
            String node = "end-" + p + "-" + i;
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(node, maxParallelism, JOB_PARALLELISM) == subtask) {
                return node;
            }
        }
    }

    static void publish(KafkaBrokerExtension kafka, String topic, List<Keyed> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            for (Keyed r : records) {
                producer.send(new ProducerRecord<>(topic, r.partition(), r.key().getBytes(StandardCharsets.UTF_8), r.value())).get();
            }
        }
    }

    /** Reads violations (read_committed) until the marker rule has fired once per partition. */
    static void awaitEndMarkers(KafkaBrokerExtension kafka, String topic, JobClient job) throws Exception {
        EventCodec<PolicyViolation> codec = EventCodec.of(PolicyViolation.class);
        Set<String> markers = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProperties("bench-reader"))) {
            consumer.subscribe(List.of(topic));
            while (markers.size() < PARTITIONS) {
                var status = job.getJobStatus().get();
                if (status.isGloballyTerminalState()) {
                    throw new IllegalStateException("the live job ended (" + status + ") before it was through: "
                            + job.getJobExecutionResult().handle((r, e) -> e).get());
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if ("bench-end".equals(new String(r.key(), StandardCharsets.UTF_8))) {
                        try {
                            markers.add(codec.decode(r.value()).getNodes().get(0));
                        } catch (dev.cgaudit.schema.codec.DecodeException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            }
        }
    }

    /** Committed records of {@code topic}, read until two checkpoint intervals bring no new one. */
    static long settledCount(KafkaBrokerExtension kafka, String topic) {
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProperties("bench-settled"))) {
            consumer.subscribe(List.of(topic));
            long quietUntil = System.nanoTime() + 2 * CHECKPOINT_INTERVAL.toNanos();
            while (System.nanoTime() < quietUntil) {
                int read = consumer.poll(Duration.ofMillis(200)).count();
                if (read > 0) {
                    count += read;
                    quietUntil = System.nanoTime() + 2 * CHECKPOINT_INTERVAL.toNanos();
                }
            }
        }
        return count;
    }

    /** Times one replay of the decisions under {@code input} and gives its table row. */
    static String[] timedReplay(String mode, Path input, int n, List<RuleChange> changes,
                                Configuration batch, int cores) throws Exception {
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        JvmCpuShares shares = JvmCpuShares.now();
        List<PolicyViolation> replayed = ReplayJob.run(ReplayJob.environment(2, batch),
                new ReplayInput.Files(List.of(input)), changes, ReplayJob.Range.ALL, SETTINGS);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = (processCpuNanos() - cpuStart) / 1e9;
        return row(mode, n, seconds, cpu, cores, REPLAY_GOAL,
                replayed.size() + " violations, " + JvmCpuShares.now().since(shares).describe(n));
    }

    /**
     * The decisions of the two {@link #writeAvro} files (same seeds, so the same violations), laid out
     * as the sink's archive lays them out ({@link ArchiveLayout}): {@code date=YYYY-MM-DD/node=NAME/}
     * folders of deflated container files, one node's decisions in seq order in each. This is what {@code cgaudit replay --input DIR} reads in production: files of
     * one node each, where the interleaved files hold all nodes in every block.
     */
    static Path writeArchive(Path dir, int n) throws Exception {
        Map<String, DataFileWriter<AttachDecision>> writers = new java.util.HashMap<>();
        try {
            for (int part = 0; part < 2; part++) {
                BenchFleet fleet = new BenchFleet(43 + part);
                int count = part == 0 ? n / 2 : n - n / 2;
                for (int i = 0; i < count; i++) {
                    AttachDecision d = fleet.next();
                    String file = ArchiveLayout.bucket(d.getTimestamp(), d.getNode()) + "/" + ArchiveLayout.PART_PREFIX
                            + "-bench-" + part + ArchiveLayout.PART_SUFFIX;
                    DataFileWriter<AttachDecision> writer = writers.get(file);
                    if (writer == null) {
                        Path path = dir.resolve(file);
                        Files.createDirectories(path.getParent());
                        writer = ArchiveLayout.fileWriter(Files.newOutputStream(path));
                        writers.put(file, writer);
                    }
                    writer.append(d);
                }
            }
        } finally {
            for (DataFileWriter<AttachDecision> writer : writers.values()) {
                writer.close();
            }
        }
        return dir;
    }

    static Path writeAvro(Path file, int n, long seed) throws Exception {
        BenchFleet fleet = new BenchFleet(seed);
        try (DataFileWriter<AttachDecision> writer = new DataFileWriter<>(new SpecificDatumWriter<>(AttachDecision.class))) {
            writer.setCodec(CodecFactory.nullCodec());
            writer.create(AttachDecision.getClassSchema(), file.toFile());
            for (int i = 0; i < n; i++) {
                writer.append(fleet.next());
            }
        }
        return file;
    }

    /**
     * CPU time of this whole JVM (job, in-process broker, the bench's own reader): on a shared machine
     * the wall clock depends on what else runs; decisions per CPU-second much less so.
     */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static String[] row(String mode, long n, double seconds, double cpuSeconds, int cores, double goal, String note) {
        double rate = n / seconds;
        return new String[] {mode, String.format(Locale.ROOT, "%,d", n), String.format(Locale.ROOT, "%.2f", seconds),
                String.format(Locale.ROOT, "%.1f", cpuSeconds), String.format(Locale.ROOT, "%,.0f", n / cpuSeconds),
                String.format(Locale.ROOT, "%,.0f", rate), String.format(Locale.ROOT, "%,.0f", rate / cores),
                String.format(Locale.ROOT, "%,.0f", goal), String.format(Locale.ROOT, "%.2f", rate / goal), note};
    }

    /** Whether this JVM runs with -XX:+UseTransparentHugePages (bench-lib.sh gives it where the kernel offers THP). */
    static String hugePages() {
        var vm = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        return "true".equals(vm.getVMOption("UseTransparentHugePages").getValue()) ? "yes" : "no";
    }

    static void print(List<String[]> rows, int cores) {
        String format = "| %-44s | %11s | %7s | %7s | %12s | %12s | %14s | %9s | %13s | %-18s |%n";
        System.out.printf("cores: %d (Runtime.availableProcessors), timer granularity %d ms, checkpoint interval (live) %d ms,"
                + " heap on transparent huge pages: %s%n", cores, SETTINGS.timerGranularity().toMillis(),
                CHECKPOINT_INTERVAL.toMillis(), hugePages());
        System.out.printf(format, "mode", "decisions", "seconds", "CPU s", "per CPU-s", "decisions/s", "decisions/s/core", "goal/s", "ratio to goal", "output");
        System.out.printf(format, "-".repeat(44), "-".repeat(11), "-".repeat(7), "-".repeat(7), "-".repeat(12), "-".repeat(12), "-".repeat(14), "-".repeat(9), "-".repeat(13), "-".repeat(18));
        for (String[] r : rows) {
            System.out.printf(format, (Object[]) r);
        }
    }
}
