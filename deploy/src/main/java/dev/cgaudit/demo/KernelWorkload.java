package dev.cgaudit.demo;

import static dev.cgaudit.demo.ScratchCgroups.NOBODY;

import dev.cgaudit.collector.enforce.FileOwnership;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The workload on the real kernel, in the scratch subtree:
 * <pre>
 *   apps/web, apps/api   delegated to nobody (it may move processes there), protected by demo-apps-managers
 *   jail                 demo-jail: nothing inside may leave
 *   locked               root's, unwritable for nobody
 *   outside, tick/a|b    neutral; the ticker bounces between tick/a and tick/b
 * </pre>
 * The ticker, one root move every {@link #TICK}, keeps decisions flowing so the processor's event
 * time moves past the last step's decisions (a decision is judged once a later one has arrived).
 */
final class KernelWorkload implements StepDriver, AutoCloseable {

    static final Duration TICK = Duration.ofMillis(500);
    private static final Duration ENFORCER_WAIT = Duration.ofSeconds(30);

    private final ScratchCgroups scratch;
    private final DemoConsole console;
    private final Duration lifetime;
    private final Map<DemoStep, Instant> timeline = new EnumMap<>(DemoStep.class);
    private Path web;
    private Path api;
    private Path jail;
    private Path outside;
    private Path locked;
    private Process mover;
    private Process nobodys;
    private Process prisoner;
    private Thread ticker;
    private volatile boolean stopping;

    KernelWorkload(ScratchCgroups scratch, DemoConsole console, Duration lifetime) {
        this.scratch = scratch;
        this.console = console;
        this.lifetime = lifetime;
    }

    /** Creates the tree (no processes yet) and delegates apps/ to nobody. */
    void prepare() throws IOException {
        Path apps = scratch.cgroup("apps");
        web = scratch.cgroup("apps/web");
        api = scratch.cgroup("apps/api");
        jail = scratch.cgroup("jail");
        outside = scratch.cgroup("outside");
        locked = scratch.cgroup("locked");
        scratch.cgroup("tick/a");
        scratch.cgroup("tick/b");
        // a move from web to api checks api's cgroup.procs and the common ancestor's (apps)
        for (Path p : new Path[] {apps, web, api}) {
            scratch.delegate(p, NOBODY);
        }
    }

    /** When each step began (wall clock): the trace recording keeps it. */
    Map<DemoStep, Instant> timeline() {
        return Map.copyOf(timeline);
    }

    @Override
    public void begin(DemoStep step) {
        timeline.put(step, Instant.now());
    }

    @Override
    public void perform(DemoStep step) throws Exception {
        switch (step) {
            case SETUP -> {
                mover = scratch.sleeper(NOBODY, web, lifetime);
                nobodys = scratch.sleeper(NOBODY, web, lifetime);
                prisoner = scratch.sleeper(NOBODY, jail, lifetime);
                startTicker(scratch.sleeper(NOBODY, scratch.cgroup("tick/a"), lifetime));
            }
            case ALLOWED_MOVES -> {
                for (int i = 0; i < 6; i++) {
                    ScratchCgroups.moveAsRoot(mover.pid(), i % 2 == 0 ? api : web);
                }
                say("root moved pid " + mover.pid() + " 6 times: allowed");
            }
            case UNAUTHORIZED_MOVES -> {
                report("nobody: pid " + nobodys.pid() + " -> apps/api", moveAsNobody(nobodys.pid(), api));
                report("nobody: pid " + nobodys.pid() + " -> apps/web", moveAsNobody(nobodys.pid(), web));
            }
            case DENIAL_BURST -> report("nobody: 6 attempts -> locked", ScratchCgroups.shellAs(NOBODY,
                    ("for i in 1 2 3 4 5 6; do echo %d > %s/cgroup.procs 2>/dev/null; done; exit 1")
                            .formatted(nobodys.pid(), locked)));
            case ESCAPE -> {
                ScratchCgroups.moveAsRoot(prisoner.pid(), outside);
                ScratchCgroups.moveAsRoot(prisoner.pid(), jail);
                say("root moved pid " + prisoner.pid() + " jail -> outside -> jail");
            }
            case ENFORCE -> {
                awaitFiles(o -> o.uid() != NOBODY, "the enforcer to take apps/api's cgroup.procs from nobody");
                say("the enforcer applied demo-apps-managers (dac: cgroup.procs in apps/ now " + owner() + ")");
            }
            case ENFORCED_MOVES -> {
                report("nobody: pid " + nobodys.pid() + " -> apps/api", moveAsNobody(nobodys.pid(), api));
                ScratchCgroups.moveAsRoot(prisoner.pid(), outside);
                say("root moved pid " + prisoner.pid() + " jail -> outside: allowed (root bypasses dac)");
            }
            case BACK_TO_AUDIT -> {
                awaitFiles(o -> o.uid() == NOBODY, "the enforcer to restore apps/api's cgroup.procs");
                say("the enforcer restored the files (" + owner() + ")");
            }
            case AFTER -> report("nobody: pid " + nobodys.pid() + " -> apps/api", moveAsNobody(nobodys.pid(), api));
            default -> throw new IllegalArgumentException("step " + step);
        }
    }

    private static ScratchCgroups.Run moveAsNobody(long pid, Path cgroup) throws IOException, InterruptedException {
        return ScratchCgroups.shellAs(NOBODY, "echo " + pid + " > " + cgroup.resolve("cgroup.procs"));
    }

    private void report(String what, ScratchCgroups.Run run) {
        say(what + ": " + (run.ok() ? "allowed" : "denied" + (run.stderr().isEmpty() ? "" : " (" + lastWords(run.stderr()) + ")")));
    }

    private static String lastWords(String stderr) {
        String last = stderr.lines().reduce((a, b) -> b).orElse(stderr);
        int colon = last.lastIndexOf(": ");
        return colon >= 0 ? last.substring(colon + 2) : last;
    }

    private void say(String text) {
        console.line("      " + text);
    }

    private String owner() throws IOException {
        return FileOwnership.read(api.resolve("cgroup.procs")).toString();
    }

    /** Waits (bounded) for the enforcer, which follows cgaudit.policy on its own thread. */
    private void awaitFiles(Predicate<FileOwnership> done, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + ENFORCER_WAIT.toNanos();
        while (!done.test(FileOwnership.read(api.resolve("cgroup.procs")))) {
            if (System.nanoTime() > deadline || stopping) {
                throw new IllegalStateException("gave up waiting for " + what + " after " + ENFORCER_WAIT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    private void startTicker(Process ticked) throws IOException {
        Path a = scratch.cgroup("tick/a");
        Path b = scratch.cgroup("tick/b");
        ticker = new Thread(() -> {
            boolean toB = true;
            while (!stopping) {
                try {
                    ScratchCgroups.moveAsRoot(ticked.pid(), toB ? b : a);
                    toB = !toB;
                    Thread.sleep(TICK.toMillis());
                } catch (IOException e) {
                    return;
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "cgaudit-demo-ticker");
        ticker.setDaemon(true);
        ticker.start();
    }

    /** Stops the ticker; the processes belong to {@link ScratchCgroups} and die with it. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        if (ticker != null) {
            ticker.interrupt();
            ticker.join(5_000);
        }
    }
}
