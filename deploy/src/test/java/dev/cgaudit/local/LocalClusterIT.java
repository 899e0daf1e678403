package dev.cgaudit.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.schema.Writer;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.schema.json.JsonLines;
import dev.cgaudit.testing.Decisions;
import dev.cgaudit.embedded.FreePorts;
import dev.cgaudit.testing.ProjectRoot;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local cluster for real (issue #7): deploy/local/cluster-up.sh starts Kafka, a Flink JobManager
 * and TaskManager as separate processes, submits the processor over Flink's REST API with the
 * packaged launcher and starts the sink; a signed policy and a played trace go in, the violation
 * comes out on cgaudit.violations and in the sink's findings file; cluster-down.sh stops it all.
 */
class LocalClusterIT {

    private static final Path ROOT = ProjectRoot.find();
    private static final Path SCRIPTS = ROOT.resolve("deploy/local");
    private static final Path LAUNCHER = ROOT.resolve("deploy/target/cgaudit/bin/cgaudit");
    /** A fresh checkout also resolves the Kafka and Flink jars with Maven on the first start. */
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration DOWN_TIMEOUT = Duration.ofMinutes(2);
    private static final String RULE = "system-slice-managers";

    @TempDir
    Path dir;

    @BeforeAll
    static void toolsAreThere() {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash")),
                "bash is missing, so the deploy/local scripts cannot run here");
        String javaHome = System.getenv("JAVA_HOME");
        boolean java = (javaHome != null && Files.isExecutable(Path.of(javaHome, "bin", "java")))
                || List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
                        .anyMatch(d -> Files.isExecutable(Path.of(d, "java")));
        assumeTrue(java, "no java on PATH or in JAVA_HOME, so the scripts cannot start Kafka and Flink here");
        assumeTrue(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
                .anyMatch(d -> Files.isExecutable(Path.of(d, "curl"))), "curl is missing: the Flink scripts ask its REST API with it");
        assertThat(LAUNCHER).as("the packaged launcher (mvn package builds it before this IT)").isExecutable();
    }

    @Test
    void decisionsInViolationsOutOnRealProcesses() throws Exception {
        Path data = dir.resolve("cluster");
        int kafkaPort = FreePorts.loopback();
        int controllerPort = FreePorts.loopback();
        int restPort = FreePorts.loopback();
        int rpcPort = FreePorts.loopback();
        String bootstrap = "127.0.0.1:" + kafkaPort;

        Path keys = dir.resolve("keys");
        Path trust = Files.createDirectories(dir.resolve("trust"));
        Result keygen = run(COMMAND_TIMEOUT, LAUNCHER.toString(), "policy", "keygen", "--name", "it", "--out", keys.toString());
        assertThat(keygen.exitCode()).as(keygen.output()).isZero();
        Files.copy(keys.resolve("it.pub"), trust.resolve("it.pub"));

        List<Long> pids = new ArrayList<>();
        try {
            long started = System.nanoTime();
            Result up = run(UP_TIMEOUT, "bash", SCRIPTS.resolve("cluster-up.sh").toString(), data.toString(),
                    "--kafka-port", Integer.toString(kafkaPort), "--controller-port", Integer.toString(controllerPort),
                    "--rest-port", Integer.toString(restPort), "--rpc-port", Integer.toString(rpcPort),
                    "--trust", trust.toString());
            assertThat(up.exitCode()).as(up.output()).isZero();
            System.out.printf("LocalClusterIT: cluster-up.sh took %d s%n", Duration.ofNanos(System.nanoTime() - started).toSeconds());
            for (Path pidFile : List.of(data.resolve("kafka/kafka.pid"), data.resolve("flink/jobmanager.pid"),
                    data.resolve("flink/taskmanager.pid"), data.resolve("sink.pid"))) {
                long pid = Long.parseLong(Files.readString(pidFile).strip());
                assertThat(isAlive(pid)).as("process of %s", pidFile).isTrue();
                pids.add(pid);
            }
            String jobId = Files.readString(data.resolve("processor.jobid")).strip();
            assertThat(httpGet(restPort, "/jobs/overview")).contains("\"jid\":\"" + jobId + "\"").contains("\"state\":\"RUNNING\"");

            Result apply = run(COMMAND_TIMEOUT, LAUNCHER.toString(), "policy", "apply", "--bootstrap", bootstrap,
                    "--key", keys.resolve("it.key").toString(), "--trust", trust.toString(),
                    ROOT.resolve("deploy/examples/policy.yaml").toString());
            assertThat(apply.exitCode()).as(apply.output()).isZero();

            // After the policy, in event time: an unprivileged shell moves a process into /system.slice
            // (no allowlist entry matches a uid 1000 bash), then systemd does, 30 s later, which moves
            // the partition's watermark past the first decision so the job judges it.
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            String bootId = UUID.randomUUID().toString();
            AttachDecision violation = Decisions.allowedProcsWrite()
                    .setEventId("node-a/" + bootId + "/0").setBootId(bootId).setSeq(0)
                    .setTimestamp(now)
                    .setWriter(Writer.newBuilder()
                            .setPid(5000).setTgid(5000).setUid(1000).setGid(1000)
                            .setComm("bash").setExe("/usr/bin/bash")
                            .setCgroupId(9).setCgroupPath("/background.slice")
                            .build())
                    .setSource(CgroupRef.newBuilder().setId(3).setPath("/background.slice").build())
                    .setDestination(CgroupRef.newBuilder().setId(11).setPath("/system.slice/x").build())
                    .build();
            AttachDecision tick = Decisions.allowedProcsWrite()
                    .setEventId("node-a/" + bootId + "/1").setBootId(bootId).setSeq(1)
                    .setKernelTimeNs(31_000_000_000L)
                    .setTimestamp(now.plusSeconds(30))
                    .build();
            JsonLines<AttachDecision> json = JsonLines.of(AttachDecision.class);
            Path trace = dir.resolve("trace.jsonl");
            Files.write(trace, List.of(json.write(violation), json.write(tick)), StandardCharsets.UTF_8);

            Result collector = run(COMMAND_TIMEOUT, LAUNCHER.toString(), "collector", "--sink", "kafka",
                    "--source", trace.toString(), "--bootstrap", bootstrap, "--node", "node-a",
                    "--spool", dir.resolve("spool").toString(), "--trust", trust.toString());
            assertThat(collector.exitCode()).as(collector.output()).isZero();
            long played = System.nanoTime();

            PolicyViolation found = awaitViolation(bootstrap, violation.getEventId());
            System.out.printf("LocalClusterIT: violation on %s %d s after the trace was played%n",
                    Topic.VIOLATIONS.topicName(), Duration.ofNanos(System.nanoTime() - played).toSeconds());
            assertThat(found.getRuleId()).isEqualTo(RULE);
            assertThat(found.getDecisionIds()).containsExactly(violation.getEventId());

            Path findings = data.resolve("findings.jsonl");
            await("the violation in the sink's " + findings).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Files.exists(findings) && Files.readAllLines(findings).stream()
                            .anyMatch(l -> l.contains(found.getViolationId()) && l.contains("\"uid\":\"" + RULE + "\"")));
        } finally {
            long stopping = System.nanoTime();
            Result down = run(DOWN_TIMEOUT, "bash", SCRIPTS.resolve("cluster-down.sh").toString(), data.toString());
            System.out.printf("LocalClusterIT: cluster-down.sh took %d s%n", Duration.ofNanos(System.nanoTime() - stopping).toSeconds());
            assertThat(down.exitCode()).as(down.output()).isZero();
        }
        assertThat(pids).as("Kafka, JobManager, TaskManager and sink after cluster-down.sh")
                .noneMatch(LocalClusterIT::isAlive);
    }

    @Test
    void flinkStartRefusesAPortInUseAndNamesIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Result start = run(COMMAND_TIMEOUT, "bash", SCRIPTS.resolve("flink-start.sh").toString(), dir.toString(),
                    "--rest-port", Integer.toString(port), "--rpc-port", Integer.toString(FreePorts.loopback()));
            assertThat(start.exitCode()).as(start.output()).isEqualTo(2);
            assertThat(start.output()).contains("port " + port + " is already in use");
            assertThat(dir.resolve("jobmanager.pid")).doesNotExist();
        }
    }

    /** Reads cgaudit.violations as the SOC would (read_committed) until the decision's violation is there. */
    private static PolicyViolation awaitViolation(String bootstrap, String eventId) {
        EventCodec<PolicyViolation> codec = EventCodec.of(PolicyViolation.class);
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "local-cluster-it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topic.VIOLATIONS.topicName()));
            List<PolicyViolation> seen = new ArrayList<>();
            return await("a committed " + RULE + " violation for " + eventId + " on " + Topic.VIOLATIONS.topicName())
                    .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                            seen.add(codec.decode(r.value()));
                        }
                        return seen.stream()
                                .filter(v -> v.getRuleId().equals(RULE) && v.getDecisionIds().contains(eventId))
                                .findFirst().orElse(null);
                    }, v -> v != null);
        }
    }

    private static String httpGet(int port, String path) throws IOException, InterruptedException {
        var client = java.net.http.HttpClient.newHttpClient();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build();
        return client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(Duration timeout, String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("cgaudit-local-", ".out");
        try {
            // Output to a file, not a pipe: nobody would drain a pipe while we wait.
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout + ":\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Alive and not a zombie: the scripts' children are reparented, and PID 1 may never reap them. */
    private static boolean isAlive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
            return state != 'Z' && state != 'X';
        } catch (IOException gone) {
            return false;
        }
    }
}
