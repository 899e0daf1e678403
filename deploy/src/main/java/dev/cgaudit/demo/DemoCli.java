package dev.cgaudit.demo;

import dev.cgaudit.policy.cli.CliUnits;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cgaudit demo}: everything embedded on this machine. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Everything embedded on this machine, in one JVM: Kafka (KRaft), a Flink MiniCluster, the collector,",
            "the processor and the OCSF sink (terminal and findings.jsonl). As root with BPF it captures this kernel's",
            "decisions in a scratch cgroup subtree and drives a scripted workload: allowed moves, unauthorized moves by",
            "uid nobody, a burst of denials, an escape from a contained subtree, two rules switched to enforce half way",
            "and back. Elsewhere it says what is missing and plays a recorded run of the same workload instead."
        },
        footer = {
            "",
            "Examples:",
            "  sudo cgaudit demo",
            "  cgaudit demo --source trace --duration 45s",
            "",
            "The scratch subtree is <cgroup2 mount>/cgaudit-demo-<pid>; it, its processes and every file the enforcer",
            "changed are restored or removed on exit, Ctrl-C included. Policy subtrees under /cgaudit-demo are moved",
            "under the scratch root; the rules demo-apps-managers and demo-jail are the ones switched to enforce."
        })
public final class DemoCli implements Callable<Integer> {

    private static final int EXIT_USAGE = 2;
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(90);

    @Spec
    private CommandSpec spec;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "60s", converter = CliUnits.DurationConverter.class,
            description = "Upper bound on the whole run, start-up included; it ends earlier once every finding arrived (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "Policy to apply instead of deploy/examples/demo-policy.yaml (subtrees under /cgaudit-demo are re-rooted).")
    private Path policy;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Where findings.jsonl, policy.yaml, keys and the spool go (default: a new /tmp/cgaudit-demo-<pid>).")
    private Path output;

    @Option(names = "--source", paramLabel = "auto|bpf|trace", defaultValue = "auto",
            description = "auto: this kernel where permitted, else the bundled trace; bpf: the kernel or fail; trace: the bundled trace (default: ${DEFAULT-VALUE}).")
    private String source;

    @Option(names = "--record-trace", paramLabel = "FILE",
            description = "Also write this run's scratch-subtree decisions as a trace (FILE and FILE.steps): how the bundled trace was made.")
    private Path recordTrace;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        DemoSettings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            err.println("cgaudit demo: " + e.getMessage());
            return EXIT_USAGE;
        }
        Demo demo = new Demo(settings, spec.commandLine().getOut(), System.console() != null);
        Thread hook = new Thread(() -> {
            demo.requestStop();
            try {
                // the JVM halts once this returns: let the cleanup (enforcer restore, cgroups) finish
                demo.awaitFinished(SHUTDOWN_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cgaudit-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Demo.Result result = demo.run();
            return result.cleanupProblems().isEmpty() ? 0 : 1;
        } catch (IllegalArgumentException e) {
            err.println("cgaudit demo: " + e.getMessage());
            return EXIT_USAGE;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for the cleanup above
            }
        }
    }

    private DemoSettings settings() {
        DemoSettings.Source kind = switch (source) {
            case "auto" -> DemoSettings.Source.AUTO;
            case "bpf" -> DemoSettings.Source.BPF;
            case "trace" -> DemoSettings.Source.TRACE;
            default -> throw new IllegalArgumentException("--source must be auto, bpf or trace, got '" + source + "'");
        };
        if (policy != null && !Files.isRegularFile(policy)) {
            throw new IllegalArgumentException("--policy " + policy + ": no such file");
        }
        Path out = output != null ? output : Path.of(System.getProperty("java.io.tmpdir"), "cgaudit-demo-" + ProcessHandle.current().pid());
        return new DemoSettings(duration, Optional.ofNullable(policy), out, kind, Optional.ofNullable(recordTrace));
    }
}
