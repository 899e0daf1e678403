package dev.cgaudit.sink.cli;

import dev.cgaudit.policy.cli.CliUnits;
import dev.cgaudit.policy.cli.KafkaConnection;
import dev.cgaudit.sink.archive.LocalArchive;
import dev.cgaudit.sink.consume.ViolationConsumer;
import dev.cgaudit.sink.delivery.Backoff;
import dev.cgaudit.sink.delivery.DeadLetterFile;
import dev.cgaudit.sink.delivery.Delivery;
import dev.cgaudit.sink.delivery.Dispatcher;
import dev.cgaudit.sink.delivery.RetryPolicy;
import dev.cgaudit.sink.delivery.RotatingFileDelivery;
import dev.cgaudit.sink.delivery.StreamDelivery;
import dev.cgaudit.sink.delivery.WebhookDelivery;
import dev.cgaudit.sink.ocsf.OcsfDetectionFinding;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cgaudit sink}: violations to the SOC, or ({@code --archive}) decisions to Avro files. */
@Command(
        name = "sink",
        mixinStandardHelpOptions = true,
        description = {
            "Deliver every violation from cgaudit.violations as an OCSF Detection",
            "Finding (JSON) to files and webhooks, at least once; or, with --archive,",
            "keep every decision from cgaudit.decisions in Avro files by date and node."
        },
        footer = {
            "",
            "Examples:",
            "  cgaudit sink --to file:/var/log/cgaudit/findings.jsonl --to https://siem.example/hook",
            "  cgaudit sink --archive /var/lib/cgaudit/archive",
            "",
            "Delivery: a record is retried with exponential backoff (jitter, capped) up to --max-attempts;",
            "HTTP 4xx other than 408/429 is not retried. What is not delivered goes to the --dead-letter file",
            "with the reason. Offsets are committed only after delivery or dead-lettering, so a restart may",
            "deliver a finding again: receivers dedupe by finding_info.uid (the violationId).",
            "",
            "Exit codes: 0 stopped cleanly, 1 runtime failure, 2 usage or input error."
        })
public final class SinkCli implements Callable<Integer> {

    private static final int EXIT_USAGE = 2;

    @Spec
    private CommandSpec spec;

    @Option(names = "--format", paramLabel = "ocsf", defaultValue = "ocsf",
            description = "Finding format (default: ${DEFAULT-VALUE}; OCSF " + OcsfDetectionFinding.OCSF_VERSION
                    + " Detection Finding, class 2004).")
    private String format;

    @Option(names = "--to", paramLabel = "file:PATH|http(s)://URL",
            description = "Where findings go; repeatable (default: standard output, JSON Lines).")
    private List<String> to = new ArrayList<>();

    @Mixin
    private KafkaConnection kafka;

    @Option(names = "--group", paramLabel = "ID",
            description = "Kafka consumer group (default: cgaudit-sink, or cgaudit-archive with --archive).")
    private String group;

    @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "8",
            description = "Attempts per finding and target before it is dead-lettered (default: ${DEFAULT-VALUE}).")
    private int maxAttempts;

    @Option(names = "--dead-letter", paramLabel = "FILE", defaultValue = "cgaudit-sink-dead-letter.jsonl",
            description = "JSON Lines file of undeliverable records with target and reason (default: ${DEFAULT-VALUE}).")
    private Path deadLetter;

    @Option(names = "--backoff", paramLabel = "DURATION", defaultValue = "500ms", converter = CliUnits.DurationConverter.class,
            description = "Nominal wait before the first retry; doubles per retry (default: ${DEFAULT-VALUE}).")
    private Duration backoff;

    @Option(names = "--backoff-max", paramLabel = "DURATION", defaultValue = "30s", converter = CliUnits.DurationConverter.class,
            description = "Cap on the wait between retries (default: ${DEFAULT-VALUE}).")
    private Duration backoffMax;

    @Option(names = "--http-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = CliUnits.DurationConverter.class,
            description = "Connect and answer timeout of a webhook request (default: ${DEFAULT-VALUE}).")
    private Duration httpTimeout;

    @Option(names = "--header", paramLabel = "NAME:VALUE",
            description = "Extra HTTP header for webhooks, e.g. 'Authorization: Bearer ...'; repeatable.")
    private List<String> headers = new ArrayList<>();

    @Option(names = "--rotate-size", paramLabel = "SIZE", defaultValue = "100m", converter = CliUnits.SizeConverter.class,
            description = "A file target rotates to PATH.1 before it grows past this (default: ${DEFAULT-VALUE}).")
    private long rotateSize;

    @Option(names = "--rotate-keep", paramLabel = "N", defaultValue = "10",
            description = "Rotated files kept per file target (default: ${DEFAULT-VALUE}).")
    private int rotateKeep;

    @Option(names = "--archive", paramLabel = "DIR",
            description = "Archive mode: every decision into Avro files under DIR/date=YYYY-MM-DD/node=NAME/.")
    private Path archive;

    @Option(names = "--flink", paramLabel = "local", defaultValue = "local",
            description = "Where the archive job runs (default: ${DEFAULT-VALUE}: in this JVM).")
    private String flink;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION", defaultValue = "60s", converter = CliUnits.DurationConverter.class,
            description = "Archive: how often files are finished and become visible (default: ${DEFAULT-VALUE}).")
    private Duration checkpointInterval;

    /** For running the sink on its own JVM (tests start it this way and kill it). */
    public static void main(String[] args) {
        System.exit(new CommandLine(new SinkCli()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        try {
            checkOptions();
        } catch (IllegalArgumentException e) {
            err.println("cgaudit sink: " + e.getMessage());
            return EXIT_USAGE;
        }
        String servers = kafka.servers();
        if (archive != null) {
            err.println("cgaudit sink: archiving " + servers + " cgaudit.decisions into " + archive.toAbsolutePath());
            LocalArchive.run(servers, group != null ? group : "cgaudit-archive", archive, checkpointInterval);
            return 0;
        }
        return deliver(servers, err);
    }

    private void checkOptions() {
        if (!format.equals("ocsf")) {
            throw new IllegalArgumentException("--format: only 'ocsf' is supported, got '" + format + "'");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("--max-attempts must be at least 1, got " + maxAttempts);
        }
        if (backoff.isZero() || backoffMax.compareTo(backoff) < 0) {
            throw new IllegalArgumentException("--backoff must be positive and at most --backoff-max");
        }
        if (rotateSize < 1 || rotateKeep < 0) {
            throw new IllegalArgumentException("--rotate-size must be positive and --rotate-keep 0 or more");
        }
        to.forEach(Target::parse);
        headerMap();
        if (archive != null) {
            if (!to.isEmpty()) {
                throw new IllegalArgumentException("--archive keeps decisions, --to delivers violations: run one 'cgaudit sink' for each");
            }
            if (!flink.equals("local")) {
                throw new IllegalArgumentException("--flink: only 'local' is supported for the archive; on Kubernetes run it as its own Deployment");
            }
        }
    }

    private Map<String, String> headerMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon < 1) {
                throw new IllegalArgumentException("--header '" + header + "': expected NAME:VALUE");
            }
            map.put(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        return map;
    }

    private int deliver(String servers, PrintWriter err) throws IOException, InterruptedException {
        List<Delivery> targets = new ArrayList<>();
        Duration worstPerRecord = Duration.ZERO;
        Backoff backoffPolicy = new Backoff(backoff, backoffMax, new Random());
        for (String value : to) {
            Target target = Target.parse(value);
            if (target instanceof Target.File file) {
                targets.add(new RotatingFileDelivery(file.path(), rotateSize, rotateKeep));
            } else {
                targets.add(new WebhookDelivery(((Target.Webhook) target).uri(), httpTimeout, httpTimeout, headerMap()));
                worstPerRecord = worstPerRecord.plus(worstCase(backoffPolicy));
            }
        }
        if (targets.isEmpty()) {
            targets.add(new StreamDelivery(spec.commandLine().getOut(), "stdout"));
        }
        // the group must not evict us while one record waits out its retries: see ViolationConsumer
        Duration maxPollInterval = max(Duration.ofMinutes(5), worstPerRecord.multipliedBy(3));
        Duration batchBudget = maxPollInterval.dividedBy(3);
        CountDownLatch finished = new CountDownLatch(1);
        try (Dispatcher dispatcher = new Dispatcher(targets, new RetryPolicy(maxAttempts, backoffPolicy),
                new DeadLetterFile(deadLetter, Clock.systemUTC()))) {
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                    ViolationConsumer.consumerProperties(servers, group != null ? group : "cgaudit-sink", maxPollInterval));
            ViolationConsumer sink = new ViolationConsumer(consumer, new OcsfDetectionFinding(version()), dispatcher,
                    Duration.ofSeconds(1), batchBudget);
            Thread hook = new Thread(() -> {
                sink.stop();
                try {
                    finished.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "cgaudit-sink-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            err.println("cgaudit sink: delivering " + servers + " cgaudit.violations to "
                    + targets.stream().map(Delivery::target).toList() + "; dead letters in " + dispatcher.deadLetters().path());
            try {
                sink.run();
            } finally {
                finished.countDown();
            }
            err.println("cgaudit sink: stopped after " + sink.counts().read() + " violations, "
                    + sink.counts().delivered() + " deliveries, " + sink.counts().deadLettered() + " dead letters");
        }
        return 0;
    }

    /** The longest one finding can take at one webhook: every attempt timing out, every wait at its nominal length. */
    private Duration worstCase(Backoff policy) {
        Duration total = httpTimeout.multipliedBy(2L * maxAttempts);
        for (int retry = 1; retry < maxAttempts; retry++) {
            total = total.plus(policy.nominal(retry));
        }
        return total;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String version() {
        String v = SinkCli.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
