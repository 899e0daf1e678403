package dev.cgaudit.collector.bpf;

import dev.cgaudit.collector.Errno;

import static dev.cgaudit.collector.decode.RecordLayout.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.cgaudit.collector.Cgroup2Mount;
import dev.cgaudit.collector.decode.RawDecision;

/**
 * The capture program on the real kernel: real migrations in a fresh test cgroup subtree, each
 * decision asserted exactly once with its operation, stage, writer, target, cgroups and result.
 * Needs root, kernel BTF, a cgroup2 mount and a kernel that loads the probes; skipped (with the
 * reason) otherwise. Other processes on the machine may migrate at the same time, so records are
 * matched by the writer's tgid, which is a process this test started.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelCaptureIT {

    private static final String NOBODY = "65534";

    private LibBpf lib;
    private CollectorProbes probes;
    private RingConsumer ring;
    private TestCgroupTree tree;
    private Path a;
    private Path b;
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    void loadProbes() throws Exception {
        assumeTrue(effectiveUid() == 0, "not root: loading BPF and creating cgroups need root (euid is " + effectiveUid() + ")");
        assumeTrue(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")), "no kernel BTF (/sys/kernel/btf/vmlinux)");
        Path mount = Cgroup2Mount.find().orElse(null);
        assumeTrue(mount != null, "no cgroup2 mount in /proc/self/mountinfo");
        try {
            lib = LibBpf.load();
            probes = CollectorProbes.load(lib, SyscallNumbers.host());
            probes.attach();
        } catch (BpfObjectMissingException e) {
            abort(e.getMessage());
        } catch (BpfVerifierException e) {
            throw new AssertionError("the verifier rejected the capture program:\n" + e.verifierLog(), e);
        } catch (BpfException e) {
            abort("BPF load refused by this kernel: " + e.getMessage());
        }
        ring = new RingConsumer(lib, probes.ringFd());
        tree = new TestCgroupTree(mount, "cgaudit-it");
        a = tree.create("a");
        b = tree.create("b");
    }

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        started.clear();
    }

    @AfterAll
    void cleanUp() {
        try {
            if (ring != null) {
                ring.close();
            }
            if (probes != null) {
                probes.close();
            }
        } finally {
            if (tree != null) {
                tree.close();
            }
        }
    }

    // ---- allowed ----

    @Test
    void procsWriteMovingAChildBetweenTwoCgroupsIsAllowed() throws Exception {
        Process sleeper = start("sleep", "600");
        long target = sleeper.pid();
        Process intoA = shell("echo " + target + " > " + a.resolve("cgroup.procs"));
        Process intoB = shell("echo " + target + " > " + b.resolve("cgroup.procs"));

        RawDecision d = onlyDecisionOf(intoB);

        assertThat(d.op()).isEqualTo(OP_PROCS_WRITE);
        assertThat(d.stage()).isEqualTo(STAGE_WRITE);
        assertWrittenBy(d, intoB, 0);
        assertThat(d.ret()).as("ret = bytes written").isEqualTo((target + "\n").length());
        assertThat(d.targetPid()).isEqualTo((int) target);
        assertThat(d.targetTgid()).isEqualTo((int) target);
        assertThat(d.targetComm()).isEqualTo("sleep");
        assertThat(d.srcCgroupId()).isEqualTo(TestCgroupTree.id(a));
        assertThat(d.dstCgroupId()).isEqualTo(TestCgroupTree.id(b));
        assertThat(d.threadgroup()).isTrue();
        assertThat(d.path()).isEqualTo(tree.kernelPath(b));
        assertThat(flagsOf(d)).containsExactlyInAnyOrder("ATTACHED", "TARGET_PARSED", "TARGET_FOUND", "SRC_KNOWN", "PATH_IS_DST");
        assertThat(onlyDecisionOf(intoA).dstCgroupId()).isEqualTo(TestCgroupTree.id(a));
    }

    @Test
    void threadsWriteInsideAThreadedSubtreeIsAllowed() throws Exception {
        // dom becomes a threaded domain once a child is "threaded"; threads move between its
        // threaded children and itself (cgroup.threads never crosses a resource domain).
        Path dom = tree.create("dom");
        Path t1 = tree.create("dom/t1");
        Path t2 = tree.create("dom/t2");
        TestCgroupTree.write(t1.resolve("cgroup.type"), "threaded");
        TestCgroupTree.write(t2.resolve("cgroup.type"), "threaded");
        Process sleeper = start("sleep", "600");
        long tid = sleeper.pid(); // single-threaded: its only thread's id is its pid
        TestCgroupTree.write(dom.resolve("cgroup.procs"), Long.toString(tid));
        Process write = shell("echo " + tid + " > " + t1.resolve("cgroup.threads"));

        RawDecision d = onlyDecisionOf(write);

        assertThat(d.op()).isEqualTo(OP_THREADS_WRITE);
        assertThat(d.stage()).isEqualTo(STAGE_WRITE);
        assertWrittenBy(d, write, 0);
        assertThat(d.ret()).isPositive();
        assertThat(d.targetPid()).isEqualTo((int) tid);
        assertThat(d.targetTgid()).isEqualTo((int) tid);
        assertThat(d.srcCgroupId()).isEqualTo(TestCgroupTree.id(dom));
        assertThat(d.dstCgroupId()).isEqualTo(TestCgroupTree.id(t1));
        assertThat(d.threadgroup()).as("a thread, not its group").isFalse();
        assertThat(d.path()).isEqualTo(tree.kernelPath(t1));
        assertThat(d.has(F_ATTACHED)).isTrue();
        assertThat(TestCgroupTree.read(t1.resolve("cgroup.threads"))).isEqualTo(Long.toString(tid));
    }

    @Test
    void cloneIntoCgroupIsAllowedAndReportedOnceByTheParent() throws Exception {
        Path helper = cloneHelper();
        Process clone = run(helper.toString(), a.toString());
        String out = output(clone);
        assumeTrue(out.startsWith("pid="), "clone3(CLONE_INTO_CGROUP) did not succeed here: " + out);
        int child = Integer.parseInt(out.substring(4).strip());

        RawDecision d = onlyDecisionOf(clone);

        assertThat(d.op()).isEqualTo(OP_CLONE_INTO_CGROUP);
        assertThat(d.stage()).isEqualTo(STAGE_CLONE3);
        assertWrittenBy(d, clone, 0);
        assertThat(d.ret()).as("clone3 returns the child's pid to the parent").isEqualTo(child);
        assertThat(d.targetPid()).isEqualTo(child);
        assertThat(d.targetTgid()).isEqualTo(child);
        assertThat(d.dstCgroupId()).isEqualTo(TestCgroupTree.id(a));
        assertThat(d.srcCgroupId()).as("the parent's cgroup").isEqualTo(d.writerCgroupId());
        assertThat(decisionsOfTgid(child)).as("the child's own clone3 return (0) is not a decision").isEmpty();
    }

    // ---- denied ----

    @Test
    void procsWriteOfAPidThatDoesNotExistIsDeniedWithEsrch() throws Exception {
        int missing = missingPid();
        Process write = shell("echo " + missing + " > " + b.resolve("cgroup.procs"));

        RawDecision d = onlyDecisionOf(write);

        assertThat(d.op()).isEqualTo(OP_PROCS_WRITE);
        assertThat(d.stage()).isEqualTo(STAGE_WRITE);
        assertWrittenBy(d, write, 0);
        assertThat(d.ret()).isEqualTo(-Errno.ESRCH);
        assertThat(d.targetPid()).isEqualTo(missing);
        assertThat(d.targetTgid()).isZero();
        assertThat(d.dstCgroupId()).isEqualTo(TestCgroupTree.id(b));
        assertThat(flagsOf(d)).containsExactly("TARGET_PARSED");
    }

    @Test
    void procsWriteOfTextThatIsNoPidIsDeniedWithEinval() throws Exception {
        Process write = shell("echo abc > " + b.resolve("cgroup.procs"));

        RawDecision d = onlyDecisionOf(write);

        assertThat(d.op()).isEqualTo(OP_PROCS_WRITE);
        assertWrittenBy(d, write, 0);
        assertThat(d.ret()).isEqualTo(-Errno.EINVAL);
        assertThat(d.targetPid()).as("no target").isEqualTo(-1);
        assertThat(d.dstCgroupId()).isEqualTo(TestCgroupTree.id(b));
        assertThat(flagsOf(d)).isEmpty();
    }

    @Test
    void unprivilegedWriterIsDeniedAtOpenWithEacces() throws Exception {
        Path procs = b.resolve("cgroup.procs");
        Process write = run("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                "sh", "-c", "echo $$ > " + procs);

        RawDecision d = onlyDecisionOf(write);

        assertThat(d.op()).isEqualTo(OP_PROCS_WRITE);
        assertThat(d.stage()).isEqualTo(STAGE_OPEN);
        assertWrittenBy(d, write, 65534);
        assertThat(d.writerGid()).isEqualTo(65534);
        assertThat(d.ret()).isEqualTo(-Errno.EACCES);
        assertThat(d.path()).as("the name as given to open").isEqualTo(procs.toString());
        assertThat(d.dirfd()).as("AT_FDCWD").isEqualTo(-100);
        assertThat(d.dstCgroupId()).as("resolved by user space from the path").isZero();
        assertThat(flagsOf(d)).containsExactly("PATH_IS_FILE");
    }

    @Test
    void cloneIntoCgroupByAnUnprivilegedCallerIsDeniedWithEacces() throws Exception {
        Path helper = cloneHelper();
        Process clone = run("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                helper.toString(), a.toString());
        assertThat(output(clone)).isEqualTo("errno=" + Errno.EACCES);

        RawDecision d = onlyDecisionOf(clone);

        assertThat(d.op()).isEqualTo(OP_CLONE_INTO_CGROUP);
        assertThat(d.stage()).isEqualTo(STAGE_CLONE3);
        assertWrittenBy(d, clone, 65534);
        assertThat(d.ret()).isEqualTo(-Errno.EACCES);
        assertThat(d.targetPid()).isEqualTo(-1);
        assertThat(d.dstCgroupId()).isEqualTo(TestCgroupTree.id(a));
    }

    @Test
    void nothingWasLost() throws Exception {
        shell("echo abc > " + b.resolve("cgroup.procs"));
        ring.drain();
        assertThat(probes.lost().total()).as("%s", probes.lost()).isZero();
        assertThat(ring.errors()).as("records the decoder rejected").isEmpty();
    }

    // ---- helpers ----

    /** The one decision whose writer is {@code process}, once it has exited. */
    private RawDecision onlyDecisionOf(Process process) throws Exception {
        long tgid = process.pid();
        // sys_exit ran before the process could exit, so its record is committed; poll (bounded)
        // in case the ring needs a wakeup, then drain everything and require exactly one.
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ZERO)
                .until(() -> {
                    ring.poll(50);
                    return !decisionsOfTgid(tgid).isEmpty();
                });
        ring.drain();
        List<RawDecision> mine = decisionsOfTgid(tgid);
        assertThat(mine).as("decisions written by pid %d", tgid).hasSize(1);
        assertThat(ring.errors()).isEmpty();
        return mine.get(0);
    }

    private List<RawDecision> decisionsOfTgid(long tgid) {
        Predicate<RawDecision> mine = d -> d.writerTgid() == tgid;
        return ring.decisions().stream().filter(mine).toList();
    }

    private static void assertWrittenBy(RawDecision d, Process writer, long uid) {
        assertThat(d.writerTgid()).isEqualTo((int) writer.pid());
        assertThat(d.writerPid()).as("single-threaded writer: thread id = pid").isEqualTo((int) writer.pid());
        assertThat(d.writerUid()).isEqualTo(uid);
        assertThat(d.writerCgroupId()).isPositive();
        assertThat(d.writerComm()).isNotEmpty();
    }

    private static List<String> flagsOf(RawDecision d) {
        List<String> names = new ArrayList<>();
        String[] all = {"ATTACHED", "TARGET_PARSED", "TARGET_FOUND", "SRC_KNOWN", "PATH_IS_DST", "PATH_IS_FILE", "PATH_TRUNCATED"};
        for (int bit = 0; bit < all.length; bit++) {
            if (d.has(1 << bit)) {
                names.add(all[bit]);
            }
        }
        return names;
    }

    private Process start(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        started.add(p);
        return p;
    }

    /** Runs {@code command} to completion (its exit code is not checked: denials fail on purpose). */
    private Process run(String... command) throws Exception {
        Process p = start(command);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
        return p;
    }

    private Process shell(String script) throws Exception {
        return run("sh", "-c", script);
    }

    private static String output(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    /** A pid nobody has: ESRCH guaranteed at the time of the write. */
    private static int missingPid() throws IOException {
        // readAllLines, not readString: a sized read of this sysctl returned one byte here.
        long pidMax = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).strip());
        for (int pid = (int) Math.min(pidMax - 1, 999_999); pid > 300; pid--) {
            if (!Files.exists(Path.of("/proc/" + pid))) {
                return pid;
            }
        }
        throw new IllegalStateException("no free pid");
    }

    /** Compiles src/test/c/clone3into.c with gcc into target/ (once); skips the test without gcc. */
    private static Path cloneHelper() throws Exception {
        Path out = Path.of("target/clone3into");
        Path src = Path.of("src/test/c/clone3into.c");
        if (Files.isExecutable(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) >= 0) {
            return out;
        }
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", out.toString(), src.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            abort("gcc is not installed: the clone3 helper cannot be built (" + e.getMessage() + ")");
            throw e;
        }
        String log = output(gcc);
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as("gcc: %s", log).isZero();
        return out;
    }

    private static long effectiveUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return Long.parseLong(line.split("\\s+")[2]);
            }
        }
        throw new IllegalStateException("no Uid: line in /proc/self/status");
    }
}
