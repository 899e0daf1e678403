package dev.cgaudit.collector.cli;

import dev.cgaudit.collector.Collector;
import dev.cgaudit.collector.CollectorConfig;
import dev.cgaudit.collector.enforce.EnforcementConfig;
import dev.cgaudit.collector.enrich.BootId;
import dev.cgaudit.collector.publish.SpoolConfig;
import dev.cgaudit.collector.source.BpfSourceFactory;
import dev.cgaudit.policy.cli.CliUnits;
import dev.cgaudit.policy.cli.KafkaConnection;
import dev.cgaudit.policy.cli.TrustOption;
import dev.cgaudit.collector.source.TraceFileSource;
import dev.cgaudit.schema.json.JsonLineException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cgaudit collector}: the node agent. */
@Command(
        name = "collector",
        mixinStandardHelpOptions = true,
        description = {
            "Capture every cgroup attach decision on this node (BPF, as root) or play a recorded trace,",
            "and deliver it to Kafka through a local disk spool (or print it as JSON Lines)."
        },
        footer = {
            "",
            "Examples:",
            "  cgaudit collector --bootstrap kafka:9092 --node $(hostname)",
            "  cgaudit collector --sink stdout --source capture.jsonl",
            "",
            "Nothing is lost silently: decisions go to the spool before Kafka; a full spool, records the",
            "kernel could not queue and records that did not decode are counted in the StatusEvent on",
            "cgaudit.status and in the metrics.",
            "",
            "Enforcement: the collector follows cgaudit.policy (signed commands, verified with --trust) and",
            "makes the kernel deny what a rule in enforce mode forbids, with the best backend this kernel",
            "permits (bpf-lsm cgroup_attach, bpf-lsm file hooks, else dac: owner and mode of cgroup.procs and",
            "cgroup.threads in protected subtrees; root bypasses dac). Files it changes are recorded in",
            "SPOOL/enforcer-state.json first and restored exactly when a rule returns to audit, is deleted,",
            "or the collector stops; after a crash the next start restores or re-applies as the policy says.",
            "With --no-enforce, files a previous enforcing run left changed are restored at start."
        })
public final class CollectorCli implements Callable<Integer> {

    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(60);

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaConnection kafka;

    @Option(names = "--node", paramLabel = "NAME", description = "Node name: Kafka key and eventId prefix (default: host name).")
    private String node;

    @Option(names = "--spool", paramLabel = "DIR",
            description = "Spool folder, kept across restarts (default: /var/lib/cgaudit/spool as root, else ~/.local/state/cgaudit/spool).")
    private Path spool;

    @Option(names = "--sink", paramLabel = "kafka|stdout", defaultValue = "kafka",
            description = "Where decisions go (default: ${DEFAULT-VALUE}).")
    private String sink;

    @Option(names = "--source", paramLabel = "bpf|FILE", defaultValue = "bpf",
            description = "'bpf' captures from the kernel (root); a path plays a JSON Lines trace (default: ${DEFAULT-VALUE}).")
    private String source;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve Prometheus metrics on http://0.0.0.0:PORT/metrics.")
    private Integer metricsPort;

    @Option(names = "--status-interval", paramLabel = "DURATION", defaultValue = "5s", converter = CliUnits.DurationConverter.class,
            description = "How often to publish a StatusEvent (default: ${DEFAULT-VALUE}).")
    private Duration statusInterval;

    @Option(names = "--spool-max", paramLabel = "SIZE", defaultValue = "1g", converter = CliUnits.SizeConverter.class,
            description = "Bound on undelivered data in the spool; beyond it decisions are dropped and counted (default: ${DEFAULT-VALUE}).")
    private long spoolMax;

    @Option(names = "--spool-fsync", paramLabel = "always|interval|never", defaultValue = "interval",
            description = "When spooled data is forced to disk; 'interval' = every second, a process crash loses nothing (default: ${DEFAULT-VALUE}).")
    private String fsync;

    @Option(names = "--duration", paramLabel = "DURATION", converter = CliUnits.DurationConverter.class,
            description = "Stop after this long (default: run until stopped or the trace ends).")
    private Duration duration;

    @Option(names = "--enforce", negatable = true,
            description = {"Run the enforcer: apply the rules of cgaudit.policy that are in enforce mode on this node.",
                "Default: on when running as root with --source bpf and --sink kafka, off otherwise.",
                "Never with --source FILE."})
    private Boolean enforce;

    @Mixin
    private TrustOption trust;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        CollectorConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            err.println("cgaudit collector: " + e.getMessage());
            return 2;
        }
        String bootId = BootId.read();
        Collector collector = new Collector(config, bootId);
        announceWhenRunning(collector, config, err);
        Thread hook = new Thread(() -> {
            collector.stop();
            try {
                // The JVM halts once this hook returns: wait for the drain and the enforcer's restore.
                collector.awaitFinished(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cgaudit-collector-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (config.traceFile().isPresent()) {
                Path trace = config.traceFile().get();
                TraceFileSource check = new TraceFileSource(trace, collector.metrics());
                try {
                    long n = check.validate();
                    err.println("cgaudit collector: playing " + n + " decisions from " + trace);
                } catch (JsonLineException e) {
                    err.println("cgaudit collector: " + e.getMessage());
                    return 2;
                }
                collector.run((nextSeq, metrics) -> new TraceFileSource(trace, metrics), stdout());
            } else {
                collector.run(new BpfSourceFactory(config.node(), bootId), stdout());
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting because of a signal; the hook already asked the collector to stop
            }
        }
        return 0;
    }

    /** Says on stderr when capture has begun: decisions before that moment are not seen. */
    private static void announceWhenRunning(Collector collector, CollectorConfig config, PrintWriter err) {
        Thread announcer = new Thread(() -> {
            try {
                if (collector.awaitRunning(10, TimeUnit.MINUTES)) {
                    err.println("cgaudit collector: running as node " + config.node() + ", "
                            + (config.traceFile().isPresent() ? "playing " + config.traceFile().get() : "capturing from the kernel")
                            + " -> " + (config.sink() == CollectorConfig.Sink.KAFKA
                                    ? "Kafka " + config.bootstrap() + " via spool " + config.spool().dir() : "stdout"));
                    err.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cgaudit-collector-announce");
        announcer.setDaemon(true);
        announcer.start();
    }

    private PrintWriter stdout() {
        return spec.commandLine().getOut();
    }

    private CollectorConfig config() {
        String servers = kafka.servers();
        CollectorConfig.Sink sinkKind;
        switch (sink) {
            case "kafka": sinkKind = CollectorConfig.Sink.KAFKA; break;
            case "stdout": sinkKind = CollectorConfig.Sink.STDOUT; break;
            default: throw new IllegalArgumentException("--sink must be kafka or stdout, got '" + sink + "'");
        }
        Optional<Path> trace = Optional.empty();
        if (!source.equals("bpf")) {
            Path file = Path.of(source);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--source: '" + source + "' is neither 'bpf' nor a readable trace file");
            }
            trace = Optional.of(file);
        }
        SpoolConfig.Fsync fsyncPolicy;
        try {
            fsyncPolicy = SpoolConfig.Fsync.valueOf(fsync.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--spool-fsync must be always, interval or never, got '" + fsync + "'");
        }
        Path spoolDir = spool != null ? spool : defaultSpool();
        long segment = Math.min(SpoolConfig.DEFAULT_SEGMENT_BYTES, Math.max(4096, spoolMax / 4));
        SpoolConfig spoolConfig = new SpoolConfig(spoolDir, spoolMax, segment, fsyncPolicy, Duration.ofSeconds(1));
        return new CollectorConfig(servers, node != null ? node : hostName(), spoolConfig, sinkKind, trace,
                Optional.ofNullable(metricsPort), statusInterval, Optional.ofNullable(duration),
                enforcement(trace.isPresent(), sinkKind));
    }

    private EnforcementConfig enforcement(boolean playingTrace, CollectorConfig.Sink sinkKind) {
        if (playingTrace) {
            if (Boolean.TRUE.equals(enforce)) {
                throw new IllegalArgumentException("--enforce needs --source bpf: a trace played back is not this node's kernel");
            }
            return EnforcementConfig.disabled();
        }
        boolean on = enforce != null ? enforce
                : ProcessHandle.current().info().user().map("root"::equals).orElse(false) && sinkKind == CollectorConfig.Sink.KAFKA;
        if (!on) {
            return EnforcementConfig.disabled();
        }
        return EnforcementConfig.enabled(trust.directory());
    }

    private static Path defaultSpool() {
        boolean root = "root".equals(System.getProperty("user.name"));
        return root ? Path.of("/var/lib/cgaudit/spool")
                : Path.of(System.getProperty("user.home"), ".local", "state", "cgaudit", "spool");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return Optional.ofNullable(System.getenv("HOSTNAME")).orElse("localhost");
        }
    }
}
