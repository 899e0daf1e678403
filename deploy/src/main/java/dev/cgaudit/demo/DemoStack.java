package dev.cgaudit.demo;

import dev.cgaudit.cli.CgauditVersion;
import dev.cgaudit.embedded.EmbeddedKafkaBroker;
import dev.cgaudit.processor.LiveJob;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.Topics;
import dev.cgaudit.processor.policy.TrustedKeys;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.sink.consume.ViolationConsumer;
import dev.cgaudit.sink.delivery.Backoff;
import dev.cgaudit.sink.delivery.DeadLetterFile;
import dev.cgaudit.sink.delivery.Dispatcher;
import dev.cgaudit.sink.delivery.RetryPolicy;
import dev.cgaudit.sink.delivery.RotatingFileDelivery;
import dev.cgaudit.sink.ocsf.OcsfDetectionFinding;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import dev.cgaudit.policy.Subtree;

/**
 * Everything of the pipeline except the collector, in this JVM: a Kafka broker (KRaft) with the
 * four topics, the processor's live job on a Flink MiniCluster, the OCSF sink (file and terminal)
 * and the decision monitor. Started piece by piece; {@link #close()} stops what was started, in
 * reverse order.
 */
final class DemoStack implements AutoCloseable {

    /** Short, so the demo's findings arrive within a second or two of their decisions. */
    static final ProcessorSettings PROCESSOR = ProcessorSettings.DEFAULTS
            .withOutOfOrderness(Duration.ofMillis(500)).withIdleness(Duration.ofSeconds(2)).withInstanceName("demo-processor");
    static final Duration CHECKPOINTS = Duration.ofSeconds(1);

    private final Path output;
    private EmbeddedKafkaBroker broker;
    private JobClient job;
    private DecisionMonitor monitor;
    private ViolationConsumer sink;
    private Dispatcher dispatcher;
    private Thread sinkThread;
    private final FindingTally tally = new FindingTally();

    DemoStack(Path output) {
        this.output = output;
    }

    /** Starts the broker and creates the topics (one partition each: one node). */
    String startKafka() throws ExecutionException, InterruptedException {
        broker = new EmbeddedKafkaBroker(output.resolve("kafka"), Map.of());
        broker.start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(Arrays.stream(Topic.values())
                    .map(t -> new NewTopic(t.topicName(), 1, (short) 1).configs(t.configs())).toList()).all().get();
        }
        return broker.bootstrapServers();
    }

    String bootstrap() {
        return broker.bootstrapServers();
    }

    /** Submits the live job to a MiniCluster in this JVM; returns its job id. */
    String startProcessor(Path trustDir) throws Exception {
        String servers = bootstrap();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, new Configuration());
        Map<Integer, Long> policyEnd = LiveJob.policyEndOffsets(servers, Topics.DEFAULT.policy(), Duration.ofSeconds(30));
        String prefix = "cgaudit-demo-" + ProcessHandle.current().pid();
        LiveJob.define(env, new LiveJob.Config(servers, Topics.DEFAULT, prefix, prefix, TrustedKeys.load(trustDir), PROCESSOR,
                CHECKPOINTS, output.resolve("checkpoints").toUri().toString(), policyEnd));
        job = env.executeAsync("cgaudit demo processor");
        return job.getJobID().toString();
    }

    /** Starts the decision monitor and the OCSF sink (findings file + terminal lines). */
    void startSink(DemoConsole console, Optional<Subtree> recordUnder) throws Exception {
        monitor = new DecisionMonitor(bootstrap(), recordUnder);
        monitor.start();
        dispatcher = new Dispatcher(List.of(new RotatingFileDelivery(findingsFile(), 100L << 20, 3),
                new TerminalFindings(console, monitor, tally)),
                new RetryPolicy(3, new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2), new Random())),
                new DeadLetterFile(deadLetterFile(), Clock.systemUTC()));
        sink = new ViolationConsumer(new KafkaConsumer<>(ViolationConsumer.consumerProperties(bootstrap(), "cgaudit-demo-sink",
                Duration.ofMinutes(5))), new OcsfDetectionFinding(CgauditVersion.version()), dispatcher,
                Duration.ofMillis(200), Duration.ofSeconds(30));
        sinkThread = new Thread(sink, "cgaudit-demo-sink");
        sinkThread.start();
    }

    Path findingsFile() {
        return output.resolve("findings.jsonl");
    }

    Path deadLetterFile() {
        return output.resolve("dead-letters.jsonl");
    }

    FindingTally tally() {
        return tally;
    }

    DecisionMonitor monitor() {
        return monitor;
    }

    @Override
    public void close() throws Exception {
        List<Exception> failures = new ArrayList<>();
        if (sink != null) {
            sink.stop();
            sinkThread.join(10_000);
        }
        run(failures, dispatcher == null ? null : dispatcher::close);
        run(failures, monitor == null ? null : monitor::close);
        run(failures, job == null ? null : () -> job.cancel().get(30, TimeUnit.SECONDS));
        run(failures, broker == null ? null : broker::stop);
        if (!failures.isEmpty()) {
            Exception first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    private static void run(List<Exception> failures, AutoCloseable step) {
        if (step == null) {
            return;
        }
        try {
            step.close();
        } catch (Exception e) {
            failures.add(e);
        }
    }
}
