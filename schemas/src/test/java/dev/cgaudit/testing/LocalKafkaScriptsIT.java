package dev.cgaudit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.cgaudit.embedded.FreePorts;
import dev.cgaudit.schema.Topic;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs deploy/local/kafka-start.sh and kafka-stop.sh for real: a broker as its own OS process. */
class LocalKafkaScriptsIT {

    private static final Path SCRIPTS = ProjectRoot.find().resolve("deploy/local");
    /** The first start in a fresh checkout also resolves Kafka's jars with Maven. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(1);

    @TempDir
    Path dataDir;

    @BeforeAll
    static void bashIsThere() {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash")),
                "bash is missing, so the deploy/local scripts cannot run here");
    }

    @Test
    void startsABrokerWithTheCgauditTopicsAndStopsIt() throws Exception {
        int port = FreePorts.loopback();
        int controllerPort = FreePorts.loopback();
        try {
            Result start = run(START_TIMEOUT, "kafka-start.sh", dataDir.toString(),
                    "--port", Integer.toString(port), "--controller-port", Integer.toString(controllerPort));
            assertThat(start.exitCode()).as(start.output()).isZero();
            long pid = Long.parseLong(Files.readString(dataDir.resolve("kafka.pid")).strip());
            assertThat(isAlive(pid)).isTrue();

            try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port))) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .containsAll(Arrays.stream(Topic.values()).map(Topic::topicName).toList());
                ConfigResource policy = new ConfigResource(ConfigResource.Type.TOPIC, Topic.POLICY.topicName());
                Config config = admin.describeConfigs(List.of(policy)).all().get(30, TimeUnit.SECONDS).get(policy);
                assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            }

            Result stop = run(STOP_TIMEOUT, "kafka-stop.sh", dataDir.toString());
            assertThat(stop.exitCode()).as(stop.output()).isZero();
            assertThat(isAlive(pid)).as("broker process %d after kafka-stop.sh", pid).isFalse();
            assertThat(dataDir.resolve("kafka.pid")).doesNotExist();

            Result again = run(STOP_TIMEOUT, "kafka-stop.sh", dataDir.toString());
            assertThat(again.exitCode()).as(again.output()).isZero();
        } finally {
            run(STOP_TIMEOUT, "kafka-stop.sh", dataDir.toString());
        }
    }

    @Test
    void refusesToStartOnAPortInUseAndNamesIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            Result start = run(START_TIMEOUT, "kafka-start.sh", dataDir.toString(),
                    "--port", Integer.toString(port), "--controller-port", Integer.toString(FreePorts.loopback()));

            assertThat(start.exitCode()).as(start.output()).isEqualTo(2);
            assertThat(start.output()).contains("port " + port + " is already in use");
            assertThat(dataDir.resolve("kafka.pid")).doesNotExist();
        }
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(Duration timeout, String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPTS.resolve(script).toString()));
        command.addAll(List.of(args));
        Path output = Files.createTempFile("cgaudit-script-", ".out");
        try {
            // Output to a file, not a pipe: nobody would drain a pipe while we wait.
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(script + " did not finish within " + timeout + ":\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Alive and not a zombie: the broker's parent exits at once, and PID 1 may never reap it. */
    private static boolean isAlive(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String content;
        try {
            content = Files.readString(stat);
        } catch (IOException gone) {
            return false;
        }
        char state = content.substring(content.lastIndexOf(')') + 2).charAt(0);
        return state != 'Z' && state != 'X';
    }
}
