package dev.cgaudit.collector.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.collector.bpf.TestCgroupTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A cgroup subtree on the real cgroup2 mount, delegated to an unprivileged uid as a container
 * manager would delegate it: {@code ROOT} with {@code src}, {@code dst} and {@code dst/inner}, every
 * directory and its {@code cgroup.procs}/{@code cgroup.threads}/{@code cgroup.subtree_control}
 * owned by {@link #DELEGATE}. {@code ROOT/cgroup.procs} is group-writable, so a writer of the
 * delegate's group passes the common-ancestor check too (a move from src to dst checks
 * {@code ROOT/cgroup.procs} and {@code dst/cgroup.procs}).
 */
final class DelegatedTree implements AutoCloseable {

    /** The uid (and gid) the subtree is delegated to: nobody. */
    static final long DELEGATE = 65534;
    static final FileOwnership DELEGATED = new FileOwnership(DELEGATE, DELEGATE, 0644);

    private final TestCgroupTree tree;
    private final Path src;
    private final Path dst;
    /** Made by the delegate, not by the tree: removed first. */
    private final Deque<Path> madeByDelegate = new ArrayDeque<>();

    DelegatedTree(Path mount, String prefix) throws IOException {
        tree = new TestCgroupTree(mount, prefix);
        delegate(tree.root());
        Files.setAttribute(tree.root().resolve(ControlledFile.PROCS), "unix:mode", 0664);
        src = delegate(tree.create("src"));
        dst = delegate(tree.create("dst"));
        delegate(tree.create("dst/inner"));
    }

    private static Path delegate(Path dir) throws IOException {
        for (Path p : List.of(dir, dir.resolve(ControlledFile.PROCS), dir.resolve(ControlledFile.THREADS),
                dir.resolve("cgroup.subtree_control"))) {
            Files.setAttribute(p, "unix:uid", (int) DELEGATE);
            Files.setAttribute(p, "unix:gid", (int) DELEGATE);
        }
        return dir;
    }

    Path src() {
        return src;
    }

    Path dst() {
        return dst;
    }

    /** The path as rules and decisions name it: relative to the mount. */
    String kernelPath(Path cgroup) {
        return tree.kernelPath(cgroup);
    }

    /** Owner/group/mode of every cgroup.procs and cgroup.threads in the tree, by path relative to its root. */
    Map<String, FileOwnership> files() throws IOException {
        Map<String, FileOwnership> all = new TreeMap<>();
        try (var walk = Files.walk(tree.root())) {
            for (Path p : walk.filter(p -> p.endsWith(ControlledFile.PROCS) || p.endsWith(ControlledFile.THREADS)).toList()) {
                all.put(tree.root().relativize(p).toString(), FileOwnership.read(p));
            }
        }
        return all;
    }

    /** Every cgroup.procs/cgroup.threads under dst. */
    Map<String, FileOwnership> dstFiles() throws IOException {
        Map<String, FileOwnership> all = files();
        all.keySet().removeIf(k -> !k.startsWith("dst/"));
        return all;
    }

    /** mkdir as the delegate may (dst is its directory): the new cgroup's files are the delegate's. */
    Path mkdirAsDelegate(String relative) throws Exception {
        Path dir = tree.root().resolve(relative);
        Run r = Run.as(DELEGATE, DELEGATE, "mkdir", dir.toString());
        assertThat(r.exit()).as("mkdir %s as the delegate: %s", dir, r.stderr()).isZero();
        madeByDelegate.push(dir);
        return dir;
    }

    /** Moves {@code pid} into {@code cgroup} as root, outside the test's view of who may. */
    static void moveAsRoot(long pid, Path cgroup) throws IOException {
        Files.writeString(cgroup.resolve(ControlledFile.PROCS), Long.toString(pid), StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        while (!madeByDelegate.isEmpty()) {
            Files.deleteIfExists(madeByDelegate.pop());
        }
        tree.close();
    }

    /** A command run under other credentials (setpriv), its exit code and error output. */
    record Run(long pid, int exit, String stderr) {

        static Run as(long uid, long gid, String... command) throws Exception {
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups"));
            cmd.addAll(List.of(command));
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
            return new Run(p.pid(), p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        }

        /** {@code echo PID > CGROUP/cgroup.procs} by a shell with those ids: setpriv execs sh, so the writer is this pid. */
        static Run move(long uid, long gid, long pid, Path cgroup) throws Exception {
            return as(uid, gid, "sh", "-c", "echo " + pid + " > " + cgroup.resolve(ControlledFile.PROCS));
        }
    }
}
