package dev.cgaudit.embedded;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * One Kafka node in combined KRaft mode (broker and controller in one {@link KafkaRaftServer}),
 * running inside this JVM on loopback ports, with its data under one directory.
 *
 * <p>Ports are chosen once, on the first start, and kept: a restart comes back at the same address
 * on the same data, as a real broker restart does. Storage is formatted once, like
 * {@code kafka-storage.sh format} before the first start of a real node.
 *
 * <p>Main code, not test code: {@code cgaudit demo} runs it, and the tests' {@code KafkaBrokerExtension}
 * wraps the same class, so what the demo runs is what the tests exercise.
 */
public final class EmbeddedKafkaBroker {

    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** A free port can be taken by someone else before Kafka binds it; pick new ones then. */
    private static final int FIRST_START_ATTEMPTS = 3;

    private final Path logDir;
    private final Map<String, String> overrides;
    private int brokerPort;
    private int controllerPort;
    private boolean formatted;
    private KafkaRaftServer server;

    /**
     * @param dataDir   holds the broker's log and metadata directory ({@code kafka-logs}); the caller owns it
     * @param overrides {@code server.properties} keys that replace this class's defaults
     */
    public EmbeddedKafkaBroker(Path dataDir, Map<String, String> overrides) {
        this.logDir = dataDir.resolve("kafka-logs");
        this.overrides = Map.copyOf(overrides);
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        if (brokerPort != 0) {
            try {
                server = startServer(config());
            } catch (RuntimeException e) {
                throw new IllegalStateException("Could not restart Kafka on ports " + brokerPort + "/" + controllerPort
                        + (causedByBindFailure(e) ? " (taken by someone else meanwhile)" : ""), e);
            }
            return;
        }
        for (int attempt = 1; ; attempt++) {
            brokerPort = FreePorts.loopback();
            controllerPort = FreePorts.loopback();
            try {
                server = startServer(config());
                return;
            } catch (RuntimeException e) {
                if (attempt == FIRST_START_ATTEMPTS || !causedByBindFailure(e)) {
                    brokerPort = 0;
                    throw e;
                }
            }
        }
    }

    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            server = null;
        }
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    public synchronized String bootstrapServers() {
        if (brokerPort == 0) {
            throw new IllegalStateException("The broker has not been started yet");
        }
        return loopbackHost() + ":" + brokerPort;
    }

    private KafkaRaftServer startServer(KafkaConfig config) {
        if (!formatted) {
            format();
            formatted = true;
        }
        KafkaRaftServer candidate = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            candidate.startup();
            return candidate;
        } catch (RuntimeException | Error e) {
            // startup() may have bound a port or started threads before failing; release them so a
            // retry (or the JVM's other tests) does not inherit a half-started node.
            candidate.shutdown();
            candidate.awaitShutdown();
            throw e;
        }
    }

    private void format() {
        try {
            Files.createDirectories(logDir);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Could not format Kafka storage in " + logDir, e);
        }
    }

    private KafkaConfig config() {
        String host = loopbackHost();
        Map<String, String> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
        props.put("listeners", "PLAINTEXT://" + host + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("metadata.log.dir", logDir.toString());
        // Fail a start that cannot complete instead of blocking a test run forever.
        props.put("server.max.startup.time.ms", "60000");

        // A single node: every internal topic must live with one replica.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "3");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "3");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        // Topics are created on purpose (the four of Topic, or createTopic): a typo in a test's topic
        // name should fail loudly, not create an empty topic.
        props.put("auto.create.topics.enable", "false");
        props.put("group.initial.rebalance.delay.ms", "0");

        // Sized for two cores shared with a Flink MiniCluster.
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "2");
        props.put("background.threads", "2");
        props.put("num.recovery.threads.per.data.dir", "1");
        props.put("log.segment.bytes", Integer.toString(8 * 1024 * 1024));
        props.put("log.index.size.max.bytes", Integer.toString(1024 * 1024));
        props.put("log.cleaner.threads", "1");
        // The default dedupe buffer is 128 MiB; test topics hold a few thousand keys at most.
        props.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        // Compacted topics are part of what tests check; let the cleaner look every half second
        // instead of every 15 s (an idle check costs next to nothing).
        props.put("log.cleaner.backoff.ms", "500");

        props.putAll(overrides);
        return new KafkaConfig(props, false);
    }

    private static String loopbackHost() {
        return InetAddress.getLoopbackAddress().getHostAddress();
    }

    private static boolean causedByBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }
}
