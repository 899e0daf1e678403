package dev.cgaudit.demo;

import dev.cgaudit.collector.Collector;
import dev.cgaudit.collector.CollectorConfig;
import dev.cgaudit.collector.enforce.EnforcementConfig;
import dev.cgaudit.collector.enforce.FileOwnership;
import dev.cgaudit.collector.enrich.BootId;
import dev.cgaudit.collector.publish.SpoolConfig;
import dev.cgaudit.collector.source.BpfSourceFactory;
import dev.cgaudit.collector.source.DecisionSource;
import dev.cgaudit.policy.Subtree;
import dev.cgaudit.schema.ViolationKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code cgaudit demo}, wired: the embedded pipeline ({@link DemoStack}), the collector on this
 * kernel (or the bundled trace when the kernel cannot be used), the scripted workload, and the
 * cleanup that must happen however the run ends: the enforcer restores what it changed, the
 * scratch cgroups and their processes go.
 */
public final class Demo {

    static final String APPS_RULE = "demo-apps-managers";
    static final String JAIL_RULE = "demo-jail";

    private final DemoSettings settings;
    private final DemoConsole console;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile Collector collector;
    private volatile TraceReplay replay;
    private volatile DecisionSource kernelSource;

    /** What a run found and left behind; tests read it. */
    public record Result(Map<ViolationKind, Long> findings, boolean kernel, Path findingsFile, List<String> cleanupProblems) {
    }

    public Demo(DemoSettings settings, PrintWriter out, boolean tty) {
        this.settings = settings;
        this.console = new DemoConsole(out, tty);
    }

    /** Asks a running demo to wind down now (Ctrl-C): the cleanup still runs in full. */
    public void requestStop() {
        stopRequested = true;
        Collector c = collector;
        if (c != null) {
            c.stop();
        }
        TraceReplay r = replay;
        if (r != null) {
            r.close();
        }
    }

    /** Waits until {@link #run()} has cleaned up; a shutdown hook must, or the JVM halts mid-cleanup. */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Result run() throws Exception {
        try {
            return runToEnd();
        } finally {
            finished.countDown();
        }
    }

    private Result runToEnd() throws Exception {
        long deadline = System.nanoTime() + settings.duration().toNanos();
        SourceChoice choice = settings.source() == DemoSettings.Source.TRACE
                ? new SourceChoice(Optional.empty(), List.of("--source trace")) : SourceChoice.probe();
        if (settings.source() == DemoSettings.Source.BPF && !choice.kernel()) {
            throw new IllegalArgumentException("--source bpf, but the kernel cannot be used here: " + String.join("; ", choice.missing()));
        }
        boolean kernel = choice.kernel();
        Path output = Files.createDirectories(settings.output()).toAbsolutePath();
        DemoTrace trace = kernel ? null : DemoTrace.bundled();

        console.line("cgaudit demo: one JVM, this machine: Kafka (KRaft, in-process), Flink MiniCluster, collector, processor, OCSF sink");
        console.line(kernel ? "  source:    this kernel (BPF tp_btf probes, ring buffer); enforcement: dac"
                : "  source:    the bundled recorded trace (" + trace.decisions().size() + " decisions of a real run), played as if now;"
                        + " the kernel is not used: " + String.join("; ", choice.missing()));
        console.line("  findings:  " + output.resolve("findings.jsonl") + " (OCSF 1.3.0 Detection Finding, one JSON a line)");
        console.line("  bounded by --duration " + settings.duration().toSeconds() + "s; Ctrl-C stops it early, cleanup included");

        ScratchCgroups scratch = null;
        KernelWorkload workload = null;
        Map<String, FileOwnership> delegated = Map.of();
        Thread collectorThread = null;
        List<String> cleanupProblems = new ArrayList<>();
        try (DemoStack stack = new DemoStack(output)) {
            console.line("  kafka:     " + stack.startKafka());
            DemoOperator operator = DemoOperator.create(stack.bootstrap(), output.resolve("keys"));
            String root;
            if (kernel) {
                scratch = ScratchCgroups.create(choice.mount().orElseThrow());
                root = scratch.kernelRoot();
                workload = new KernelWorkload(scratch, console, settings.duration().plusMinutes(2));
                workload.prepare();
                delegated = scratch.ownership();
                console.line("  scratch:   " + scratch.root() + " (removed at the end)");
            } else {
                root = trace.root();
            }
            Path policy = DemoPolicy.write(settings.policy(), root, output.resolve("policy.yaml"));
            console.line("  policy:    " + policy + (settings.policy().isPresent() ? " (from " + settings.policy().get() + ")"
                    : " (deploy/examples/demo-policy.yaml)") + ", subtrees under " + root);
            operator.apply(policy).forEach(l -> console.line("             " + l));
            console.line("  processor: Flink job " + stack.startProcessor(operator.trustDir()));
            stack.startSink(console, settings.recordTrace().isPresent() ? Optional.of(Subtree.of(root)) : Optional.empty());

            collector = new Collector(collectorConfig(stack.bootstrap(), output, operator, kernel, trace), BootId.read());
            Collector.SourceFactory factory;
            if (kernel) {
                BpfSourceFactory bpf = new BpfSourceFactory(nodeName(), BootId.read());
                factory = (nextSeq, metrics) -> kernelSource = bpf.open(nextSeq, metrics);
            } else {
                replay = new TraceReplay(trace);
                factory = (nextSeq, metrics) -> replay;
            }
            Collector running = collector;
            collectorThread = new Thread(() -> {
                try {
                    running.run(factory, new PrintWriter(Writer.nullWriter()));
                } catch (Exception e) {
                    console.line("  collector failed: " + e.getMessage());
                }
            }, "cgaudit-demo-collector");
            if (kernel) {
                console.line("  collector: starting; libbpf may report the BPF LSM enforcement backends this kernel refuses (dac is used then)");
            }
            collectorThread.start();
            if (!collector.awaitRunning(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the collector did not start within 60 s");
            }
            console.line("  collector: running" + (kernel ? ", enforcing with the dac backend" : ", playing the trace"));
            console.line("");

            try (StatusLine status = new StatusLine(console, stack.monitor()::count, stack.tally()::total, () -> lost(running))) {
                status.start();
                runScript(kernel ? workload : replay, operator, deadline);
                console.line("  ... waiting for the last findings (the processor judges a decision once later ones arrived)");
                stack.tally().awaitAll(DemoSummary.expected(kernel), deadline, () -> stopRequested);
            }
            if (settings.recordTrace().isPresent() && workload != null) {
                DemoTrace.recorded(root, stack.monitor().recorded(), workload.timeline()).write(settings.recordTrace().get());
                console.line("  trace recorded: " + settings.recordTrace().get() + " (+ .steps)");
            }
            Map<ViolationKind, Long> found = stack.tally().byKind();
            long lost = lost(running);
            stopCollector(collectorThread, workload);
            collectorThread = null;
            console.line("");
            console.line("Findings by kind:");
            DemoSummary.lines(found, kernel, lost).forEach(console::line);
            return new Result(found, kernel, stack.findingsFile(), cleanupProblems);
        } finally {
            if (collectorThread != null) {
                stopCollector(collectorThread, workload);
            }
            if (scratch != null) {
                cleanUp(scratch, delegated, cleanupProblems);
            }
            console.line("Files: " + output + " (findings.jsonl, policy.yaml, keys/, spool/)");
        }
    }

    private void runScript(StepDriver driver, DemoOperator operator, long deadline) throws Exception {
        DemoStep[] steps = DemoStep.values();
        for (DemoStep step : steps) {
            if (stopRequested) {
                console.line("  stopped before: " + step.narration());
                return;
            }
            if (System.nanoTime() > deadline) {
                console.line("  --duration reached: the remaining steps are skipped");
                return;
            }
            console.line(String.format("  step %d/%d  %s", step.ordinal() + 1, steps.length, step.narration()));
            driver.begin(step);
            if (step.switchesTo() != null) {
                for (String rule : List.of(APPS_RULE, JAIL_RULE)) {
                    try {
                        operator.setMode(rule, step.switchesTo(), "cgaudit demo: " + step.name().toLowerCase())
                                .forEach(l -> console.line("      " + l));
                    } catch (IllegalStateException e) {
                        console.line("      " + e.getMessage());
                    }
                }
            }
            driver.perform(step);
        }
    }

    private void stopCollector(Thread collectorThread, KernelWorkload workload) throws InterruptedException {
        if (workload != null) {
            workload.close();
        }
        Collector c = collector;
        c.stop();
        if (replay != null) {
            replay.close();
        }
        // its enforcer puts every file it changed back before run() returns
        if (!c.awaitFinished(60, TimeUnit.SECONDS)) {
            console.line("  warning: the collector did not finish within 60 s");
        }
        collectorThread.join(5_000);
    }

    private void cleanUp(ScratchCgroups scratch, Map<String, FileOwnership> delegated, List<String> problems) {
        try {
            List<String> changed = scratch.restore(delegated);
            if (changed.isEmpty()) {
                console.line("Cleanup: cgroup.procs/cgroup.threads of the scratch tree were back as before the demo ("
                        + delegated.size() + " files checked)");
            } else {
                problems.add("restored by the demo, not by the enforcer: " + changed);
                console.line("Cleanup: the demo had to restore " + changed);
            }
        } catch (IOException e) {
            problems.add("permissions: " + e.getMessage());
            console.line("Cleanup: could not check permissions: " + e.getMessage());
        }
        try {
            scratch.close();
            console.line("Cleanup: removed " + scratch.root() + " and its processes");
        } catch (IOException e) {
            problems.add(e.getMessage());
            console.line("Cleanup: " + e.getMessage());
        }
    }

    private long lost(Collector running) {
        DecisionSource source = kernelSource;
        long ring = source == null ? 0 : source.health().ringLostByType().values().stream().mapToLong(Long::longValue).sum();
        return ring + running.metrics().decodeErrors.sum();
    }

    private CollectorConfig collectorConfig(String bootstrap, Path output, DemoOperator operator, boolean kernel, DemoTrace trace) {
        String node = kernel ? nodeName() : trace.decisions().get(0).getNode();
        SpoolConfig spool = new SpoolConfig(output.resolve("spool"), 256L << 20, 16L << 20, SpoolConfig.Fsync.NEVER, Duration.ofSeconds(1));
        return new CollectorConfig(bootstrap, node, spool, CollectorConfig.Sink.KAFKA, Optional.empty(), Optional.empty(),
                Duration.ofSeconds(1), Optional.empty(),
                kernel ? EnforcementConfig.enabled(operator.trustDir()) : EnforcementConfig.disabled());
    }

    private static String nodeName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
