package dev.cgaudit.collector.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cgaudit.collector.Cgroup2Mount;
import dev.cgaudit.collector.Collector;
import dev.cgaudit.collector.CollectorConfig;
import dev.cgaudit.collector.enrich.BootId;
import dev.cgaudit.collector.publish.SpoolConfig;
import dev.cgaudit.collector.source.BpfSourceFactory;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Operation;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.json.JsonLines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole collector on the real kernel, as {@code cgaudit collector --sink stdout}: probes,
 * ring reader, decoder, enrichment and sequencing, for an allowed move and a denial at open.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BpfCollectorIT {

    private final JsonLines<AttachDecision> json = JsonLines.of(AttachDecision.class);
    private final StringWriter out = new StringWriter();
    private final AtomicReference<Throwable> failed = new AtomicReference<>();
    private Collector collector;
    private Thread run;
    private TestCgroupTree tree;
    private Process sleeper;

    /** Static: an instance @TempDir is not injected yet when a PER_CLASS @BeforeAll runs (it was null). */
    @TempDir
    static Path spool;

    @BeforeAll
    void start() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "not root: capturing with BPF needs root");
        assumeTrue(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")), "no kernel BTF (/sys/kernel/btf/vmlinux)");
        Path mount = Cgroup2Mount.find().orElse(null);
        assumeTrue(mount != null, "no cgroup2 mount in /proc/self/mountinfo");
        tree = new TestCgroupTree(mount, "cgaudit-collector-it");
        String bootId = BootId.read();
        collector = new Collector(new CollectorConfig("unused:9092", "it-node",
                SpoolConfig.defaults(spool), CollectorConfig.Sink.STDOUT, Optional.empty(), Optional.empty(),
                Duration.ofHours(1), Optional.empty()), bootId);
        run = new Thread(() -> {
            try {
                collector.run(new BpfSourceFactory("it-node", bootId), new PrintWriter(out, true));
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        run.start();
        await().atMost(60, TimeUnit.SECONDS).until(() -> collector.awaitRunning(100, TimeUnit.MILLISECONDS) || failed.get() != null);
        Throwable t = failed.get();
        if (t instanceof BpfException && !(t instanceof BpfVerifierException)) {
            // Only a missing object or a kernel that refuses the load is a missing capability.
            abort("the collector could not capture here: " + t.getMessage());
        }
        if (t != null) {
            throw new AssertionError("the collector failed on a machine with root, BTF and cgroup2", t);
        }
        sleeper = new ProcessBuilder("sleep", "600").start();
    }

    @AfterAll
    void stop() throws Exception {
        if (sleeper != null) {
            sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (collector != null) {
            collector.stop();
            run.join(TimeUnit.SECONDS.toMillis(30));
        }
        if (tree != null) {
            tree.close();
        }
    }

    private List<AttachDecision> decisionsOf(long writerTgid) {
        return out.toString().lines().map(this::parse).filter(d -> d.getWriter().getTgid() == writerTgid).toList();
    }

    private AttachDecision parse(String line) {
        try {
            return json.read(line);
        } catch (Exception e) {
            throw new AssertionError("collector printed a line that is not an AttachDecision: " + line, e);
        }
    }

    @Test
    void anAllowedMoveArrivesEnrichedAndNumbered() throws Exception {
        Path a = tree.create("a");
        Process writer = new ProcessBuilder("sh", "-c", "echo " + sleeper.pid() + " > " + a.resolve("cgroup.procs")).start();
        assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(writer.exitValue()).isZero();

        await().atMost(30, TimeUnit.SECONDS).until(() -> decisionsOf(writer.pid()).size() == 1);
        AttachDecision d = decisionsOf(writer.pid()).get(0);
        assertThat(d.getOperation()).isEqualTo(Operation.PROCS_WRITE);
        assertThat(d.getOutcome()).isEqualTo(Outcome.ALLOWED);
        assertThat(d.getErrno()).isZero();
        assertThat(d.getNode()).isEqualTo("it-node");
        assertThat(d.getEventId()).isEqualTo("it-node/" + d.getBootId() + "/" + d.getSeq());
        assertThat(d.getTimestamp()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
        assertThat(d.getWriter().getComm()).isEqualTo("sh");
        assertThat(d.getWriter().getUid()).isZero();
        assertThat(d.getTarget().getPid()).isEqualTo((int) sleeper.pid());
        assertThat(d.getTarget().getComm()).isEqualTo("sleep");
        assertThat(d.getDestination().getId()).isEqualTo(TestCgroupTree.id(a));
        assertThat(d.getDestination().getPath()).isEqualTo(tree.kernelPath(a));
        assertThat(d.getSource()).isNotNull();
        assertThat(d.getSource().getPath()).isNotNull();
    }

    @Test
    void aDenialAtOpenIsResolvedToItsCgroup() throws Exception {
        Path b = tree.create("b");
        Process writer = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "sh", "-c", "echo $$ > " + b.resolve("cgroup.procs")).start();
        assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(writer.exitValue()).isNotZero();

        await().atMost(30, TimeUnit.SECONDS).until(() -> decisionsOf(writer.pid()).size() == 1);
        AttachDecision d = decisionsOf(writer.pid()).get(0);
        assertThat(d.getOutcome()).isEqualTo(Outcome.DENIED);
        assertThat(d.getErrnoName()).isEqualTo("EACCES");
        assertThat(d.getWriter().getUid()).isEqualTo(65534);
        assertThat(d.getTarget()).isNull();
        assertThat(d.getDestination().getId()).isEqualTo(TestCgroupTree.id(b));
        assertThat(d.getDestination().getPath()).isEqualTo(tree.kernelPath(b));
    }
}
