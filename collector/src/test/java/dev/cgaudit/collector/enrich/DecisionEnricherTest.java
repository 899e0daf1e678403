package dev.cgaudit.collector.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.collector.decode.RawDecision;
import dev.cgaudit.collector.decode.RecordLayout;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Operation;
import dev.cgaudit.schema.Outcome;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecisionEnricherTest {

    @TempDir
    Path root;

    private Path mount;
    private Path proc;
    private long srcId;
    private long dstId;
    private Path exe;
    private DecisionEnricher enricher;

    @BeforeEach
    void setUp() throws Exception {
        mount = Files.createDirectories(root.resolve("cgroup"));
        srcId = ino(Files.createDirectories(mount.resolve("user.slice")));
        dstId = ino(Files.createDirectories(mount.resolve("system.slice/app.service")));
        proc = Files.createDirectories(root.resolve("proc"));
        Path p100 = Files.createDirectories(proc.resolve("100"));
        exe = Files.createFile(Files.createDirectories(root.resolve("bin")).resolve("bash"));
        Files.createSymbolicLink(p100.resolve("exe"), exe);
        Files.createSymbolicLink(p100.resolve("cwd"), mount.resolve("system.slice"));
        // kernel clock 5 s after boot = wall 2026-11-28T10:00:05Z
        KernelClock clock = new KernelClock(Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC), () -> 0L);
        enricher = new DecisionEnricher("node-a", "boot-1", "1.2.3", clock, new CgroupPathResolver(mount), new ProcessInfo(proc));
    }

    private static long ino(Path p) throws Exception {
        return ((Number) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    private RawDecision raw(int flags, int stage, int op, int ret, int targetPid, String path, int dirfd) {
        return new RawDecision(flags, 5_000_000_123L, stage == RecordLayout.STAGE_OPEN ? 0 : dstId, srcId, srcId,
                101, 100, 1000, 1000, targetPid, 4242, ret, op, stage, true, dirfd, 7, "bash", "sleep", path);
    }

    @Test
    void anAllowedWriteBecomesTheContractEvent() {
        AttachDecision d = enricher.enrich(raw(RecordLayout.F_TARGET_PARSED | RecordLayout.F_TARGET_FOUND
                | RecordLayout.F_SRC_KNOWN | RecordLayout.F_ATTACHED, RecordLayout.STAGE_WRITE,
                RecordLayout.OP_PROCS_WRITE, 5, 4242, "", 0), 7);
        assertThat(d.getEventId()).isEqualTo("node-a/boot-1/7");
        assertThat(d.getSeq()).isEqualTo(7);
        assertThat(d.getTimestamp()).isEqualTo(Instant.parse("2026-11-28T10:00:05.000000Z"));
        assertThat(d.getKernelTimeNs()).isEqualTo(5_000_000_123L);
        assertThat(d.getOperation()).isEqualTo(Operation.PROCS_WRITE);
        assertThat(d.getOutcome()).isEqualTo(Outcome.ALLOWED);
        assertThat(d.getErrno()).isZero();
        assertThat(d.getErrnoName()).isNull();
        assertThat(d.getWriter().getExe()).isEqualTo(exe.toString());
        assertThat(d.getWriter().getUid()).isEqualTo(1000);
        assertThat(d.getWriter().getCgroupPath()).isEqualTo("/user.slice");
        assertThat(d.getTarget().getPid()).isEqualTo(4242);
        assertThat(d.getTarget().getComm()).isEqualTo("sleep");
        assertThat(d.getSource().getPath()).isEqualTo("/user.slice");
        assertThat(d.getDestination().getId()).isEqualTo(dstId);
        assertThat(d.getDestination().getPath()).isEqualTo("/system.slice/app.service");
        assertThat(d.getCollectorVersion()).isEqualTo("1.2.3");
    }

    @Test
    void theExeIsCachedPerExecOfTheWriter() throws Exception {
        ProcessInfo processes = new ProcessInfo(proc);
        assertThat(processes.exe(100, 7)).contains(exe.toString());
        Path other = Files.createFile(root.resolve("bin").resolve("dash"));
        Files.delete(proc.resolve("100").resolve("exe"));
        Files.createSymbolicLink(proc.resolve("100").resolve("exe"), other);
        assertThat(processes.exe(100, 7)).as("same exec: cached").contains(exe.toString());
        assertThat(processes.exe(100, 8)).as("after an execve: looked up again").contains(other.toString());
    }

    @Test
    void aNumberThatNamesNoTaskKeepsThePidButNoTgidOrComm() {
        AttachDecision d = enricher.enrich(raw(RecordLayout.F_TARGET_PARSED, RecordLayout.STAGE_WRITE,
                RecordLayout.OP_PROCS_WRITE, -3, 999999, "", 0), 0);
        assertThat(d.getOutcome()).isEqualTo(Outcome.DENIED);
        assertThat(d.getErrnoName()).isEqualTo("ESRCH");
        assertThat(d.getTarget().getPid()).isEqualTo(999999);
        assertThat(d.getTarget().getTgid()).isNull();
        assertThat(d.getTarget().getComm()).isNull();
        assertThat(d.getSource()).isNull();
    }

    @Test
    void textThatIsNotAPidHasNoTarget() {
        AttachDecision d = enricher.enrich(raw(0, RecordLayout.STAGE_WRITE, RecordLayout.OP_THREADS_WRITE, -22, -1, "", 0), 0);
        assertThat(d.getTarget()).isNull();
        assertThat(d.getOperation()).isEqualTo(Operation.THREADS_WRITE);
        assertThat(d.getErrnoName()).isEqualTo("EINVAL");
    }

    @Test
    void aFailedOpenIsResolvedFromTheWritersWorkingDirectory() {
        AttachDecision d = enricher.enrich(raw(RecordLayout.F_PATH_IS_FILE, RecordLayout.STAGE_OPEN,
                RecordLayout.OP_PROCS_WRITE, -13, -1, "app.service/cgroup.procs", DecisionEnricher.AT_FDCWD), 0);
        assertThat(d.getTarget()).isNull();
        assertThat(d.getErrnoName()).isEqualTo("EACCES");
        assertThat(d.getDestination().getId()).isEqualTo(dstId);
        assertThat(d.getDestination().getPath()).isEqualTo("/system.slice/app.service");
    }

    @Test
    void aFailedOpenOfAnAbsolutePathOffTheMountSaysSo() {
        AttachDecision d = enricher.enrich(raw(RecordLayout.F_PATH_IS_FILE, RecordLayout.STAGE_OPEN,
                RecordLayout.OP_PROCS_WRITE, -13, -1, "/tmp/x/cgroup.procs", DecisionEnricher.AT_FDCWD), 0);
        assertThat(d.getDestination().getId()).isZero();
        assertThat(d.getDestination().getPath()).isNull();
        assertThat(d.getDestination().getPathError()).contains("not a cgroup");
    }

    @Test
    void anAllowedClone3TargetsTheChild() {
        AttachDecision d = enricher.enrich(raw(0, RecordLayout.STAGE_CLONE3, RecordLayout.OP_CLONE_INTO_CGROUP,
                5555, 5555, "", 0), 0);
        assertThat(d.getOperation()).isEqualTo(Operation.CLONE_INTO_CGROUP);
        assertThat(d.getTarget().getPid()).isEqualTo(5555);
        assertThat(d.getTarget().getComm()).isEqualTo("bash");
        assertThat(d.getOutcome()).isEqualTo(Outcome.ALLOWED);
    }

    @Test
    void theTracepointsPathIsTrustedAndLearned() {
        AttachDecision d = enricher.enrich(raw(RecordLayout.F_PATH_IS_DST | RecordLayout.F_TARGET_PARSED,
                RecordLayout.STAGE_WRITE, RecordLayout.OP_PROCS_WRITE, 5, 1, "/as/the/kernel/said", 0), 0);
        assertThat(d.getDestination().getPath()).isEqualTo("/as/the/kernel/said");
    }
}
