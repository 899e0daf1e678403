package dev.cgaudit.processor.cli;

import dev.cgaudit.policy.cli.CliUnits;
import dev.cgaudit.policy.cli.KafkaConnection;
import dev.cgaudit.policy.cli.TrustOption;
import dev.cgaudit.policy.command.InvalidKeyFileException;
import dev.cgaudit.processor.LiveJob;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.Topics;
import dev.cgaudit.processor.policy.TrustedKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cgaudit processor}: the live job. */
@Command(
        name = "processor",
        mixinStandardHelpOptions = true,
        description = {
            "Run the live processor: decisions and policy from Kafka, violations to cgaudit.violations (exactly once),",
            "policy command results and dead letters to cgaudit.status. Runs until stopped;",
            "with --flink HOST:PORT it submits the job, prints its job id on stdout and returns."
        },
        footer = {
            "",
            "Examples:",
            "  cgaudit processor --bootstrap kafka:9092 --trust /etc/cgaudit/trust",
            "  cgaudit processor --flink jobmanager:8081 --parallelism 4      (submits this jar to a running cluster)"
        })
public final class ProcessorCli implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaConnection kafka;

    @Option(names = "--flink", paramLabel = "local|HOST:PORT", defaultValue = "local",
            description = "'local' runs a Flink MiniCluster in this JVM; HOST:PORT submits to a running cluster's REST endpoint (default: ${DEFAULT-VALUE}).")
    private String flink;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "2", description = "Parallelism of the job (default: ${DEFAULT-VALUE}).")
    private int parallelism;

    @Mixin
    private TrustOption trust;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION", converter = CliUnits.DurationConverter.class, defaultValue = "5s",
            description = "Checkpoint interval (e.g. 5s, 1m, PT5S); violations become visible to read_committed readers at each checkpoint (default: ${DEFAULT-VALUE}).")
    private Duration checkpointInterval;

    @Option(names = "--checkpoint-dir", paramLabel = "URI",
            description = "Where checkpoints are kept; must be reachable by every task manager (default: file://$TMPDIR/cgaudit-checkpoints).")
    private String checkpointDir;

    @Option(names = "--out-of-orderness", paramLabel = "DURATION", converter = CliUnits.DurationConverter.class, defaultValue = "5s",
            description = "How late a decision may arrive within its Kafka partition and still be judged in order (default: ${DEFAULT-VALUE}).")
    private Duration outOfOrderness;

    @Option(names = "--timer-granularity", paramLabel = "DURATION", converter = CliUnits.DurationConverter.class, defaultValue = "100ms",
            description = "Decisions are released by event-time timers rounded up to this: larger means fewer timers (1s saved ~16%% CPU in the bench) and up to that much later findings (default: ${DEFAULT-VALUE}).")
    private Duration timerGranularity;

    @Option(names = "--idleness", paramLabel = "DURATION", converter = CliUnits.DurationConverter.class, defaultValue = "10s",
            description = "After this long without decisions a partition's event time runs on with its silence; one that never had any no longer holds back the others (default: ${DEFAULT-VALUE}).")
    private Duration idleness;

    @Option(names = "--group-id", paramLabel = "ID", defaultValue = "cgaudit-processor", description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
    private String groupId;

    @Option(names = "--transactional-id-prefix", paramLabel = "PREFIX", defaultValue = "cgaudit-processor",
            description = "Prefix of the violations sink's Kafka transactional ids; one per job (default: ${DEFAULT-VALUE}).")
    private String transactionalIdPrefix;

    @Option(names = "--jar", paramLabel = "FILE",
            description = "Job jar to ship with --flink HOST:PORT (default: the cgaudit jar this command runs from).")
    private Path jar;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        String servers = kafka.servers();
        Path trustDir = trust.directory();
        if (parallelism < 1) {
            err.println("cgaudit processor: --parallelism must be at least 1, got " + parallelism);
            return 2;
        }
        TrustedKeys keys;
        try {
            keys = TrustedKeys.load(trustDir);
        } catch (IOException | InvalidKeyFileException e) {
            err.println("cgaudit processor: trust store " + trustDir + ": " + e.getMessage());
            return 2;
        }
        if (keys.size() == 0) {
            err.println("cgaudit processor: warning: no keys in " + trustDir + ": every policy command will be rejected");
        }
        ProcessorSettings settings;
        try {
            settings = ProcessorSettings.DEFAULTS.withOutOfOrderness(outOfOrderness).withIdleness(idleness)
                    .withTimerGranularity(timerGranularity);
        } catch (IllegalArgumentException e) {
            err.println("cgaudit processor: " + e.getMessage());
            return 2;
        }
        StreamExecutionEnvironment env;
        try {
            env = environment();
        } catch (IllegalArgumentException e) {
            err.println("cgaudit processor: " + e.getMessage());
            return 2;
        }
        env.setParallelism(parallelism);
        Map<Integer, Long> policyEnd;
        try {
            policyEnd = LiveJob.policyEndOffsets(servers, Topics.DEFAULT.policy(), Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            err.println("cgaudit processor: cannot read " + Topics.DEFAULT.policy() + " at " + servers + ": " + e.getMessage());
            return 2;
        }
        LiveJob.define(env, new LiveJob.Config(servers, Topics.DEFAULT, groupId, transactionalIdPrefix, keys, settings,
                checkpointInterval, checkpointDir != null ? checkpointDir
                        : Path.of(System.getProperty("java.io.tmpdir"), "cgaudit-checkpoints").toUri().toString(), policyEnd));
        err.println("cgaudit processor: reading " + Topics.DEFAULT.decisions() + " at " + servers + " (flink " + flink
                + ", parallelism " + parallelism + ", " + keys.size() + " trusted keys)");
        if (flink.equals("local")) {
            env.execute("cgaudit processor");
            return 0;
        }
        // A remote job runs on the cluster until cancelled there: return once it is submitted
        // (like 'flink run --detached') instead of holding this JVM for the life of the job.
        JobClient job = env.executeAsync("cgaudit processor");
        spec.commandLine().getOut().println(job.getJobID());
        spec.commandLine().getOut().flush();
        err.println("cgaudit processor: submitted job " + job.getJobID() + " to " + flink
                + "; it runs on the cluster until cancelled there (REST: PATCH /jobs/" + job.getJobID() + "?mode=cancel)");
        return 0;
    }

    private StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        if (flink.equals("local")) {
            return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        }
        int colon = flink.lastIndexOf(':');
        if (colon <= 0 || colon == flink.length() - 1) {
            throw new IllegalArgumentException("--flink must be 'local' or HOST:PORT (the JobManager's REST port), got '" + flink + "'");
        }
        int port;
        try {
            port = Integer.parseInt(flink.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--flink " + flink + ": the port is not a number");
        }
        Path jobJar = jar != null ? jar : runningJar();
        if (!Files.isRegularFile(jobJar)) {
            throw new IllegalArgumentException("--jar " + jobJar + ": no such file");
        }
        return StreamExecutionEnvironment.createRemoteEnvironment(flink.substring(0, colon), port, conf, jobJar.toString());
    }

    /** The jar these classes were loaded from: what a remote cluster needs to run them. */
    private static Path runningJar() {
        try {
            Path location = Path.of(ProcessorCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!location.toString().endsWith(".jar")) {
                throw new IllegalArgumentException("--flink HOST:PORT ships the job as a jar, but this runs from " + location
                        + " (not a jar): pass --jar deploy/target/cgaudit/lib/cgaudit.jar");
            }
            return location;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot tell which jar is running: " + e.getMessage());
        }
    }
}
