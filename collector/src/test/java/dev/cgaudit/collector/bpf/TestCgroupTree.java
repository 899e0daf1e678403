package dev.cgaudit.collector.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.awaitility.Awaitility;

/**
 * A fresh cgroup subtree under the cgroup2 mount for one test run, uniquely named, removed on
 * close even after a failure. Its root never gets controllers in cgroup.subtree_control, so the
 * "no internal processes" rule does not apply to the leaves the tests put tasks in.
 */
public final class TestCgroupTree implements AutoCloseable {

    private final Path mount;
    private final Path root;
    /** Created directories, deepest last: removed in reverse. */
    private final Deque<Path> created = new ArrayDeque<>();

    public TestCgroupTree(Path mount, String prefix) throws IOException {
        this.mount = mount;
        this.root = mount.resolve(prefix + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        mkdir(root);
        assertThat(read(root.resolve("cgroup.subtree_control"))).as("controllers enabled in a fresh cgroup").isEmpty();
    }

    public Path root() {
        return root;
    }

    /** Creates {@code relative} (parents first) under the test root. */
    public Path create(String relative) throws IOException {
        Path p = root;
        for (Path part : Path.of(relative)) {
            p = p.resolve(part.toString());
            if (!Files.isDirectory(p)) {
                mkdir(p);
            }
        }
        return p;
    }

    private void mkdir(Path p) throws IOException {
        Files.createDirectory(p);
        created.push(p);
    }

    /** The cgroup id the kernel uses: the kernfs node id = inode number of the directory. */
    public static long id(Path cgroup) throws IOException {
        return ((Number) Files.getAttribute(cgroup, "unix:ino")).longValue();
    }

    /** The path as the kernel prints it (cgroup_attach_task's path): relative to the mount. */
    public String kernelPath(Path cgroup) {
        return "/" + mount.relativize(cgroup);
    }

    public static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }

    public static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII).strip();
    }

    @Override
    public void close() {
        UncheckedIOException failure = null;
        while (!created.isEmpty()) {
            Path p = created.pop();
            try {
                // A killed task leaves its cgroup once reaped; wait (bounded) until it is empty.
                // cgroup.threads, not cgroup.procs: the latter is unreadable (EOPNOTSUPP) in a
                // threaded cgroup, the former lists every task in any cgroup.
                Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                        .until(() -> read(p.resolve("cgroup.threads")).isEmpty());
                Files.delete(p);
            } catch (IOException e) {
                if (failure == null) {
                    failure = new UncheckedIOException("removing test cgroup " + p, e);
                }
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = new UncheckedIOException("removing test cgroup " + p, new IOException(e));
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
