package dev.cgaudit.collector.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.Enforcement;
import dev.cgaudit.schema.Operation;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.Target;
import dev.cgaudit.schema.Writer;
import dev.cgaudit.testing.Decisions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DacAttributorTest {

    private static final FileOwnership DELEGATED = new FileOwnership(65534, 65534, 0644);
    private static final EnforcedRule ONLY_65533 = Rules.onlyUid("dst-managers", "/t/dst", 65533);

    /** Files not under control are read from here as they are now. */
    @TempDir
    Path mount;

    private final Map<String, DacSnapshot.Controlled> controlled = new HashMap<>();

    private DacAttributor attributor() {
        return new DacAttributor(mount, () -> new DacSnapshot(controlled));
    }

    private void control(String cgroup, String file, FileOwnership original, EnforcedRule... rules) {
        ControlledFile f = new ControlledFile(cgroup, file, 1, original);
        controlled.put(f.key(), new DacSnapshot.Controlled(f, List.of(rules)));
    }

    private void uncontrolled(String cgroup, FileOwnership now) throws IOException {
        Path dir = Files.createDirectories(ControlledFile.directory(mount, cgroup));
        Path procs = dir.resolve(ControlledFile.PROCS);
        if (!Files.exists(procs)) {
            Files.createFile(procs);
        }
        Files.setAttribute(procs, "unix:mode", now.mode());
    }

    private static AttachDecision.Builder deniedAtOpenBy(long uid, String destination) {
        return Decisions.deniedAtOpen()
                .setWriter(Writer.newBuilder().setPid(7).setTgid(7).setUid(uid).setGid(65534).setComm("sh")
                        .setExe("/usr/bin/dash").setCgroupId(3).setCgroupPath("/t/src").build())
                .setDestination(CgroupRef.newBuilder().setId(9).setPath(destination).build());
    }

    @Test
    void aDenialAtOpenOfAFileTheEnforcerClosedNamesTheRule() {
        control("/t/dst", ControlledFile.PROCS, DELEGATED, ONLY_65533);

        Optional<Enforcement> e = attributor().attribute(deniedAtOpenBy(65534, "/t/dst").build());

        assertThat(e).contains(Enforcement.newBuilder().setRuleId("dst-managers").setRuleVersion(1).setBackend("dac").build());
    }

    @Test
    void aWriterTheBaselineRefusedAlreadyWasNotDeniedByTheEnforcer() {
        control("/t/dst", ControlledFile.PROCS, new FileOwnership(0, 0, 0644), ONLY_65533);

        assertThat(attributor().attribute(deniedAtOpenBy(65534, "/t/dst").build())).isEmpty();
    }

    @Test
    void aWriterTheRuleAllowsIsNotAttributedToIt() {
        control("/t/dst", ControlledFile.PROCS, DELEGATED, ONLY_65533);

        assertThat(attributor().attribute(deniedAtOpenBy(65533, "/t/dst").build())).isEmpty();
    }

    @Test
    void onlyEaccesDenialsAreLookedAt() {
        control("/t/dst", ControlledFile.PROCS, DELEGATED, ONLY_65533);

        assertThat(attributor().attribute(deniedAtOpenBy(65534, "/t/dst").setErrno(1).setErrnoName("EPERM").build())).isEmpty();
        assertThat(attributor().attribute(deniedAtOpenBy(65534, "/t/dst").setOutcome(Outcome.ALLOWED).setErrno(0)
                .setErrnoName(null).build())).isEmpty();
        assertThat(attributor().attribute(deniedAtOpenBy(65534, "/t/other").build())).isEmpty();
    }

    @Test
    void aThreadsWriteChecksCgroupThreads() {
        control("/t/dst", ControlledFile.PROCS, DELEGATED, ONLY_65533);

        AttachDecision threads = deniedAtOpenBy(65534, "/t/dst").setOperation(Operation.THREADS_WRITE).build();
        assertThat(attributor().attribute(threads)).as("cgroup.threads is not under control here").isEmpty();

        control("/t/dst", ControlledFile.THREADS, DELEGATED, ONLY_65533);
        assertThat(attributor().attribute(threads)).isPresent();
    }

    @Test
    void aDeniedWriteIsJudgedByTheCommonAncestor() throws IOException {
        // The open succeeded: the kernel refused at the delegation check on the common ancestor.
        AttachDecision write = deniedAtOpenBy(65534, "/t/dst/a")
                .setTarget(Target.newBuilder().setPid(99).setTgid(99).setComm("sleep").build())
                .setSource(CgroupRef.newBuilder().setId(5).setPath("/t/dst/b").build())
                .build();
        control("/t/dst/a", ControlledFile.PROCS, DELEGATED, ONLY_65533);
        control("/t/dst", ControlledFile.PROCS, DELEGATED, ONLY_65533);

        assertThat(attributor().attribute(write)).map(Enforcement::getRuleId).contains("dst-managers");

        AttachDecision fromOutside = AttachDecision.newBuilder(write)
                .setSource(CgroupRef.newBuilder().setId(5).setPath("/u/src").build()).build();
        uncontrolled("/", new FileOwnership(0, 0, 0644));
        assertThat(attributor().attribute(fromOutside)).as("common ancestor / was never changed by the enforcer").isEmpty();
    }

    @Test
    void theMostSpecificViolatedRuleIsNamed() {
        EnforcedRule outer = Rules.onlyUid("outer", "/t", 65533);
        control("/t/dst", ControlledFile.PROCS, DELEGATED, outer, ONLY_65533);

        assertThat(attributor().attribute(deniedAtOpenBy(65534, "/t/dst").build()))
                .map(Enforcement::getRuleId).contains("dst-managers");
    }

    @Test
    void commonAncestorOfTwoCgroupPaths() {
        assertThat(DacAttributor.commonAncestor("/a/b/c", "/a/b/d")).isEqualTo("/a/b");
        assertThat(DacAttributor.commonAncestor("/a/b", "/a/bc")).isEqualTo("/a");
        assertThat(DacAttributor.commonAncestor("/a", "/b")).isEqualTo("/");
        assertThat(DacAttributor.commonAncestor("/a/b", "/a/b/c")).isEqualTo("/a/b");
        assertThat(DacAttributor.commonAncestor("/", "/a")).isEqualTo("/");
    }
}
