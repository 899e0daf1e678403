package dev.cgaudit.demo;

import dev.cgaudit.collector.enforce.FileOwnership;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The demo's scratch cgroup subtree, {@code <cgroup2 mount>/cgaudit-demo-<pid>}, and the processes
 * it puts there. Everything it creates it removes on {@link #close()}, processes first, deepest
 * directory first, also after a failure half-way; the subtree never gets controllers, so its
 * cgroups may hold processes at every level.
 */
final class ScratchCgroups implements AutoCloseable {

    /** The template name of the scratch root in the demo policy; each run appends its pid. */
    static final String TEMPLATE_ROOT = "/cgaudit-demo";
    /** The unprivileged writer and owner of the delegated part: nobody/nogroup. */
    static final long NOBODY = 65534;
    private static final String PROCS = "cgroup.procs";
    private static final String THREADS = "cgroup.threads";
    private static final Duration EMPTY_WAIT = Duration.ofSeconds(10);

    private final Path mount;
    private final Path root;
    private final Deque<Path> created = new ArrayDeque<>();
    private final List<Process> processes = new ArrayList<>();

    private ScratchCgroups(Path mount, Path root) {
        this.mount = mount;
        this.root = root;
    }

    /** Creates the empty root {@code cgaudit-demo-<pid>}; nothing else yet. */
    static ScratchCgroups create(Path mount) throws IOException {
        ScratchCgroups scratch = new ScratchCgroups(mount, mount.resolve(TEMPLATE_ROOT.substring(1) + "-" + ProcessHandle.current().pid()));
        scratch.mkdir(scratch.root);
        return scratch;
    }

    /** The root as rules and decisions name it (relative to the cgroup2 mount), e.g. {@code /cgaudit-demo-4242}. */
    String kernelRoot() {
        return "/" + mount.relativize(root);
    }

    Path root() {
        return root;
    }

    /** {@code relative} under the root; created with its parents when missing. */
    Path cgroup(String relative) throws IOException {
        Path p = root;
        for (Path part : Path.of(relative)) {
            p = p.resolve(part.toString());
            if (!Files.isDirectory(p)) {
                mkdir(p);
            }
        }
        return p;
    }

    /** Delegates a cgroup to {@code uid} the way a container manager does: the directory and its control files. */
    void delegate(Path cgroup, long uid) throws IOException {
        for (Path p : List.of(cgroup, cgroup.resolve(PROCS), cgroup.resolve(THREADS), cgroup.resolve("cgroup.subtree_control"))) {
            Files.setAttribute(p, "unix:uid", (int) uid);
            Files.setAttribute(p, "unix:gid", (int) uid);
        }
    }

    /** A {@code sleep} run by {@code uid}, put into {@code cgroup} by root (this JVM); killed on close. */
    Process sleeper(long uid, Path cgroup, Duration lifetime) throws IOException {
        Process p = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                "sleep", Long.toString(lifetime.toSeconds()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(p);
        moveAsRoot(p.pid(), cgroup);
        return p;
    }

    /** {@code echo PID > CGROUP/cgroup.procs} from this JVM (root). */
    static void moveAsRoot(long pid, Path cgroup) throws IOException {
        Files.writeString(cgroup.resolve(PROCS), Long.toString(pid), StandardCharsets.US_ASCII);
    }

    /** Result of a shell run by another uid. */
    record Run(int exit, String stderr) {
        boolean ok() {
            return exit == 0;
        }
    }

    /**
     * Runs {@code script} with {@code sh -c} as {@code uid}: setpriv execs the shell, so the writer of
     * every {@code echo PID > cgroup.procs} in it is one process, whatever the number of attempts.
     */
    static Run shellAs(long uid, String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "sh", "-c", script)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("setpriv sh -c '" + script + "' did not finish in 30 s");
        }
        return new Run(p.exitValue(), err);
    }

    /** Owner, group and mode of every cgroup.procs and cgroup.threads in the subtree, by relative path. */
    Map<String, FileOwnership> ownership() throws IOException {
        Map<String, FileOwnership> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> p.endsWith(PROCS) || p.endsWith(THREADS)).toList()) {
                files.put(root.relativize(p).toString(), FileOwnership.read(p));
            }
        }
        return files;
    }

    /** Puts files back as {@code expected} says; returns the ones that had to be changed. */
    List<String> restore(Map<String, FileOwnership> expected) throws IOException {
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, FileOwnership> e : expected.entrySet()) {
            Path file = root.resolve(e.getKey());
            if (Files.exists(file) && !FileOwnership.read(file).equals(e.getValue())) {
                e.getValue().applyTo(file);
                changed.add(e.getKey());
            }
        }
        return changed;
    }

    private void mkdir(Path p) throws IOException {
        Files.createDirectory(p);
        created.push(p);
    }

    /** Kills the processes, waits until each cgroup is empty and removes it, deepest first. */
    @Override
    public void close() throws IOException {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        IOException failure = null;
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        while (!created.isEmpty()) {
            Path dir = created.pop();
            try {
                awaitEmpty(dir);
                Files.delete(dir);
            } catch (IOException e) {
                if (failure == null) {
                    failure = new IOException("could not remove scratch cgroup " + dir + ": " + e.getMessage(), e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** A killed task leaves its cgroup once reaped; rmdir fails with EBUSY until then. */
    private static void awaitEmpty(Path dir) throws IOException {
        long deadline = System.nanoTime() + EMPTY_WAIT.toNanos();
        // cgroup.threads lists every task in any cgroup (cgroup.procs is unreadable in a threaded one)
        while (!Files.readString(dir.resolve(THREADS), StandardCharsets.US_ASCII).isBlank()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("still has tasks after " + EMPTY_WAIT.toSeconds() + " s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the cgroup to empty", e);
            }
        }
    }
}
