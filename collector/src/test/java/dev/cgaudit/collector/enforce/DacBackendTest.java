package dev.cgaudit.collector.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cgaudit.schema.RuleEnforcementStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dac pass on a scratch folder laid out like a cgroup2 mount (directories holding
 * cgroup.procs and cgroup.threads). chown to other uids needs root; the real-kernel behaviour is
 * {@link DacEnforcementIT}'s.
 */
class DacBackendTest {

    private static final FileOwnership DELEGATED = new FileOwnership(65534, 65534, 0644);

    @TempDir
    Path mount;

    @TempDir
    Path stateDir;

    private EnforcerStateFile stateFile;

    @BeforeEach
    void tree() throws IOException {
        assumeTrue(ProcessIdentity.effectiveUid() == 0, "not root: chown to other uids needs CAP_CHOWN");
        for (String cgroup : List.of("t", "t/dst", "t/dst/inner", "t/other")) {
            cgroup(cgroup);
        }
        stateFile = new EnforcerStateFile(stateDir);
    }

    private Path cgroup(String relative) throws IOException {
        Path dir = Files.createDirectories(mount.resolve(relative));
        for (String file : List.of(ControlledFile.PROCS, ControlledFile.THREADS)) {
            Path f = dir.resolve(file);
            if (!Files.exists(f)) {
                Files.createFile(f);
            }
            DELEGATED.applyTo(f);
        }
        return dir;
    }

    /** Owner/group/mode of every cgroup file under the mount, by path. */
    private Map<String, FileOwnership> files() throws IOException {
        Map<String, FileOwnership> all = new TreeMap<>();
        try (var walk = Files.walk(mount)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                all.put("/" + mount.relativize(p), FileOwnership.read(p));
            }
        }
        return all;
    }

    @Test
    void enforcingChangesOnlyTheSubtreeAndAuditRestoresExactly() throws Exception {
        Map<String, FileOwnership> before = files();
        DacBackend dac = DacBackend.open(mount, stateFile);

        List<RuleEnforcementStatus> status = dac.apply(List.of(Rules.onlyUid("r", "/t/dst", 65533)));

        FileOwnership enforced = new FileOwnership(65533, 65534, 0644);
        assertThat(files()).containsEntry("/t/dst/cgroup.procs", enforced)
                .containsEntry("/t/dst/cgroup.threads", enforced)
                .containsEntry("/t/dst/inner/cgroup.procs", enforced)
                .containsEntry("/t/cgroup.procs", DELEGATED)
                .containsEntry("/t/other/cgroup.procs", DELEGATED);
        assertThat(stateFile.load()).extracting(ControlledFile::key).containsExactlyInAnyOrder(
                "/t/dst/cgroup.procs", "/t/dst/cgroup.threads", "/t/dst/inner/cgroup.procs", "/t/dst/inner/cgroup.threads");
        assertThat(stateFile.load()).allSatisfy(f -> assertThat(f.original()).isEqualTo(DELEGATED));
        assertThat(status).singleElement().satisfies(s -> {
            assertThat(s.getBackend()).isEqualTo("dac");
            assertThat(s.getEnforced()).isFalse();
            assertThat(s.getReason()).contains("dac enforces uid=65533").contains("root (CAP_DAC_OVERRIDE) bypasses dac");
        });

        dac.apply(List.of());

        assertThat(files()).isEqualTo(before);
        assertThat(stateFile.load()).isEmpty();
    }

    @Test
    void aRestartAfterACrashRestoresTheOriginalsFromTheStateFileNotWhatItFinds() throws Exception {
        Map<String, FileOwnership> before = files();
        DacBackend crashed = DacBackend.open(mount, stateFile);
        crashed.apply(List.of(Rules.onlyUid("r", "/t/dst", 65533)));
        // no close(): the process was killed

        DacBackend restarted = DacBackend.open(mount, stateFile);
        restarted.apply(List.of(Rules.onlyUid("r", "/t/dst", 65533)));
        assertThat(files().get("/t/dst/cgroup.procs")).isEqualTo(new FileOwnership(65533, 65534, 0644));
        restarted.apply(List.of());

        assertThat(files()).isEqualTo(before);
    }

    @Test
    void aCrashAfterRecordingButBeforeChangingLeavesNothingToUndo() throws Exception {
        Map<String, FileOwnership> before = files();
        // What the state file holds when the process died between saving it and the first chown.
        long id = (Long) Files.getAttribute(mount.resolve("t/dst"), "unix:ino");
        stateFile.save(List.of(new ControlledFile("/t/dst", ControlledFile.PROCS, id, DELEGATED)));

        DacBackend.open(mount, stateFile).apply(List.of());

        assertThat(files()).isEqualTo(before);
        assertThat(stateFile.load()).isEmpty();
    }

    @Test
    void aCgroupCreatedInsideIsTakenAtTheNextPassAndRestoredToItsOwnOriginal() throws Exception {
        DacBackend dac = DacBackend.open(mount, stateFile);
        List<EnforcedRule> rules = List.of(Rules.onlyUid("r", "/t/dst", 65533));
        dac.apply(rules);
        Path late = cgroup("t/dst/late");
        new FileOwnership(1000, 1000, 0664).applyTo(late.resolve(ControlledFile.PROCS));

        dac.apply(rules);
        assertThat(FileOwnership.read(late.resolve(ControlledFile.PROCS))).isEqualTo(new FileOwnership(65533, 1000, 0644));

        dac.close();
        assertThat(FileOwnership.read(late.resolve(ControlledFile.PROCS))).isEqualTo(new FileOwnership(1000, 1000, 0664));
        assertThat(FileOwnership.read(mount.resolve("t/dst/cgroup.procs"))).isEqualTo(DELEGATED);
    }

    @Test
    void aChangeBehindTheEnforcersBackIsSetBack() throws Exception {
        DacBackend dac = DacBackend.open(mount, stateFile);
        List<EnforcedRule> rules = List.of(Rules.onlyUid("r", "/t/dst", 65533));
        dac.apply(rules);
        Path procs = mount.resolve("t/dst/cgroup.procs");
        new FileOwnership(65533, 65534, 0666).applyTo(procs); // the granted owner opens it to everyone

        dac.apply(rules);

        assertThat(FileOwnership.read(procs)).isEqualTo(new FileOwnership(65533, 65534, 0644));
        dac.close();
        assertThat(FileOwnership.read(procs)).isEqualTo(DELEGATED);
    }

    @Test
    void aCgroupRemovedAndMadeAgainIsANewCgroup() throws Exception {
        DacBackend dac = DacBackend.open(mount, stateFile);
        List<EnforcedRule> rules = List.of(Rules.onlyUid("r", "/t/dst", 65533));
        dac.apply(rules);
        Path inner = mount.resolve("t/dst/inner");
        // Moved away first so that the new directory cannot get the old one's inode number
        // (cgroupfs never reuses ids quickly; a scratch file system may).
        Path gone = Files.move(inner, mount.resolve("gone"));
        cgroup("t/dst/inner");
        for (String f : List.of(ControlledFile.PROCS, ControlledFile.THREADS)) {
            Files.delete(gone.resolve(f));
        }
        Files.delete(gone);
        new FileOwnership(42, 42, 0644).applyTo(inner.resolve(ControlledFile.PROCS));

        dac.apply(rules);
        dac.close();

        assertThat(FileOwnership.read(inner.resolve(ControlledFile.PROCS))).as("the new cgroup's own original")
                .isEqualTo(new FileOwnership(42, 42, 0644));
    }

    @Test
    void overlappingRulesGrantOnlyWhatBothAllowAndSaySo() throws Exception {
        DacBackend dac = DacBackend.open(mount, stateFile);

        List<RuleEnforcementStatus> status = dac.apply(List.of(Rules.onlyUid("outer", "/t", 65533),
                Rules.onlyUid("inner", "/t/dst", 65532)));

        assertThat(FileOwnership.read(mount.resolve("t/other/cgroup.procs"))).isEqualTo(new FileOwnership(65533, 65534, 0644));
        assertThat(FileOwnership.read(mount.resolve("t/dst/cgroup.procs"))).isEqualTo(new FileOwnership(0, 65534, 0644));
        assertThat(status).allSatisfy(s -> assertThat(s.getReason()).contains("files there let through only what both allow (root only)"));
    }

    @Test
    void rulesDacCannotEnforceChangeNothingAndAreReported() throws Exception {
        Map<String, FileOwnership> before = files();
        DacBackend dac = DacBackend.open(mount, stateFile);

        List<RuleEnforcementStatus> status = dac.apply(List.of(Rules.containment("c", "/t"), Rules.churn("bouncing", "/")));

        assertThat(files()).isEqualTo(before);
        assertThat(status).extracting(RuleEnforcementStatus::getEnforced).containsExactly(false, false);
        assertThat(status).extracting(RuleEnforcementStatus::getBackend).containsOnlyNulls();
        assertThat(status.get(1).getReason()).startsWith("detection-only kind");
    }

    @Test
    void aSubtreeThatDoesNotExistYetIsSaidAndProtectedOnceItAppears() throws Exception {
        DacBackend dac = DacBackend.open(mount, stateFile);
        List<EnforcedRule> rules = List.of(Rules.onlyUid("r", "/later", 65533));

        assertThat(dac.apply(rules)).singleElement().satisfies(s ->
                assertThat(s.getReason()).contains("subtree /later does not exist on this node (yet)"));
        Path later = cgroup("later");
        dac.apply(rules);

        assertThat(FileOwnership.read(later.resolve(ControlledFile.PROCS))).isEqualTo(new FileOwnership(65533, 65534, 0644));
        dac.close();
    }
}
