package dev.cgaudit.collector.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cgaudit.collector.Cgroup2Mount;
import dev.cgaudit.collector.bpf.BpfException;
import dev.cgaudit.collector.bpf.BpfObject;
import dev.cgaudit.collector.bpf.BpfObjectMissingException;
import dev.cgaudit.collector.bpf.BpfResources;
import dev.cgaudit.collector.bpf.LibBpf;
import dev.cgaudit.collector.bpf.TestCgroupTree;
import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.schema.Direction;
import dev.cgaudit.schema.RuleKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The BPF backends' allow-list check on the real kernel, where lsm programs are refused: the same
 * code (enforce_common.h) compiled into a {@code SEC("syscall")} program
 * ({@code src/test/bpf/enforce_selftest.bpf.c}), verified by this kernel and run with
 * BPF_PROG_TEST_RUN in the test thread's task, which plays the writer moving a process into its
 * own cgroup. The maps are filled through the backends' own encoder ({@link BpfAllowList},
 * {@link BpfRulePlanner} with the system resolver), so layout, encoding, the walk up the cgroup
 * tree, every allow field and the denial record are exercised. The hooks themselves
 * (file_open/file_permission/cgroup_attach) are not: this kernel refuses to load lsm programs.
 */
class BpfAllowListIT {

    private static final int EPERM = 1;

    private BpfObject selftest;
    private BpfAllowList allowList;
    private Path mount;
    private TestCgroupTree tree;
    private Path homeCgroup;
    private Path leaf;
    private long ownCgroup;
    private long parentCgroup;

    @BeforeEach
    void load() throws Exception {
        assumeTrue(ProcessIdentity.effectiveUid() == 0, "not root: loading BPF programs needs root");
        Optional<Path> m = Cgroup2Mount.find();
        assumeTrue(m.isPresent(), "no cgroup2 mount");
        mount = m.get();
        byte[] elf;
        try {
            elf = BpfResources.read("enforce_selftest.bpf.o");
        } catch (BpfObjectMissingException e) {
            assumeTrue(false, e.getMessage());
            return;
        }
        selftest = BpfObject.openMem(LibBpf.load(), "enforce_selftest", elf);
        try {
            selftest.load();
        } catch (BpfException e) {
            assumeTrue(false, "this kernel refuses SEC(\"syscall\") programs, so the allow-list code cannot run here: " + e.getMessage());
        }
        allowList = new BpfAllowList(selftest);
        // The writer is this JVM: put it two levels below a fresh test cgroup, so that it has an
        // ancestor to protect and a cgroup of its own to be matched by.
        homeCgroup = ownCgroupDir();
        tree = new TestCgroupTree(mount, "cgaudit-selftest");
        leaf = tree.create("a/b");
        TestCgroupTree.write(leaf.resolve(ControlledFile.PROCS), Long.toString(ProcessHandle.current().pid()));
        ownCgroup = run(BpfEnforceLayout.INTO).cgroupId();
        assertThat(ownCgroup).isEqualTo(TestCgroupTree.id(leaf));
        parentCgroup = TestCgroupTree.id(leaf.getParent());
        assertThat(run(BpfEnforceLayout.INTO).result()).as("no rule: allowed").isZero();
    }

    @AfterEach
    void unload() throws Exception {
        if (selftest != null) {
            selftest.close();
        }
        if (tree != null) {
            TestCgroupTree.write(homeCgroup.resolve(ControlledFile.PROCS), Long.toString(ProcessHandle.current().pid()));
            tree.close();
        }
    }

    private record Outcome(long cgroupId, int result) {
    }

    /** Judges the test thread moving a process into its own cgroup, for the given scope bits. */
    private Outcome run(int scope) throws BpfException {
        ByteBuffer ctx = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        ctx.putInt(8, scope);
        byte[] bytes = ctx.array();
        assertThat(selftest.testRun("cga_enforce_selftest", bytes)).isZero();
        ByteBuffer out = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        return new Outcome(out.getLong(0), out.getInt(12));
    }

    private Path ownCgroupDir() throws Exception {
        String line = Files.readAllLines(Path.of("/proc/self/cgroup")).stream().filter(l -> l.startsWith("0::")).findFirst()
                .orElseThrow();
        String rel = line.substring(3);
        return rel.equals("/") ? mount : mount.resolve(rel.substring(1));
    }

    private void install(long subtreeId, int slot, PolicyRule.Builder rule) throws BpfException {
        EnforcedRule enforced = Rules.enforced(rule);
        BpfRulePlan plan = new BpfRulePlanner(BpfRulePlanner.Hooks.CGROUP_ATTACH).plan(enforced, BpfLsmBackend.systemResolver(mount));
        allowList.put(subtreeId, slot, BpfEnforceLayout.rule(7, plan.scope(), enforced.id(), plan.entries()));
    }

    private static PolicyRule.Builder into(AllowEntry... allow) {
        return PolicyRule.builder("selftest", RuleKind.ALLOWLIST, "/selftest").direction(Direction.INTO).allow(allow);
    }

    private static long threadPidTgid() throws Exception {
        // /proc/thread-self -> "<tgid>/task/<tid>"
        String[] parts = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString().split("/");
        return (Long.parseLong(parts[0]) << 32) | Long.parseLong(parts[2]);
    }

    @Test
    void aWriterNotOnTheListIsDeniedAndTheDenialNamesTheMapEntry() throws Exception {
        install(ownCgroup, 0, into(AllowEntry.builder().uid(65533L).build()));

        assertThat(run(BpfEnforceLayout.INTO).result()).isEqualTo(-EPERM);
        assertThat(allowList.denial(threadPidTgid())).hasValueSatisfying(d -> {
            assertThat(d.subtreeId()).isEqualTo(ownCgroup);
            assertThat(d.slot()).isZero();
            assertThat(d.ruleVersion()).isEqualTo(7);
            assertThat(d.err()).isEqualTo(-EPERM);
        });
        assertThat(run(BpfEnforceLayout.OUT_OF).result()).as("an into rule does not judge moves out").isZero();

        allowList.delete(ownCgroup, 0);
        assertThat(run(BpfEnforceLayout.INTO).result()).as("updated live: rule removed").isZero();
    }

    @Test
    void rootIsJudgedLikeAnyoneAndMatchesByUid() throws Exception {
        install(ownCgroup, 0, into(AllowEntry.builder().uid(0L).build()));
        assertThat(run(BpfEnforceLayout.INTO).result()).isZero();

        install(ownCgroup, 0, into(AllowEntry.builder().uid(0L).gid(12345L).build()));
        assertThat(run(BpfEnforceLayout.INTO).result()).as("uid and gid together").isEqualTo(-EPERM);
    }

    @Test
    void commExecutableAndWriterCgroupMatchTheCallingTask() throws Exception {
        String comm = Files.readString(Path.of("/proc/thread-self/comm")).strip();
        String java = Files.readSymbolicLink(Path.of("/proc/self/exe")).toString();
        String ownCgroupPath = tree.kernelPath(leaf);
        String ancestorPath = tree.kernelPath(leaf.getParent());

        install(ownCgroup, 0, into(AllowEntry.builder().comm(comm).build()));
        assertThat(run(BpfEnforceLayout.INTO).result()).as("comm %s", comm).isZero();
        install(ownCgroup, 0, into(AllowEntry.builder().comm("not-" + comm.substring(0, Math.min(10, comm.length()))).build()));
        assertThat(run(BpfEnforceLayout.INTO).result()).isEqualTo(-EPERM);

        install(ownCgroup, 0, into(AllowEntry.builder().exe(java).build()));
        assertThat(run(BpfEnforceLayout.INTO).result()).as("exe %s by (kernel dev_t, inode)", java).isZero();
        install(ownCgroup, 0, into(AllowEntry.builder().exe("/bin/sh").build()));
        assertThat(run(BpfEnforceLayout.INTO).result()).isEqualTo(-EPERM);

        install(ownCgroup, 0, into(AllowEntry.builder().writerCgroup(ownCgroupPath).build()));
        assertThat(run(BpfEnforceLayout.INTO).result()).as("writer cgroup %s", ownCgroupPath).isZero();
        install(ownCgroup, 0, into(AllowEntry.builder().writerCgroup(ancestorPath).build()));
        assertThat(run(BpfEnforceLayout.INTO).result()).as("writer cgroup under %s", ancestorPath).isZero();
        install(ownCgroup, 0, into(AllowEntry.builder().writerCgroup(tree.kernelPath(tree.create("elsewhere"))).build()));
        assertThat(run(BpfEnforceLayout.INTO).result()).isEqualTo(-EPERM);
    }

    @Test
    void aRuleOnAnAncestorProtectsEverythingBelowAndEachSlotIsJudged() throws Exception {
        install(parentCgroup, 1, into(AllowEntry.builder().uid(0L).build()));
        assertThat(run(BpfEnforceLayout.INTO).result()).isZero();

        install(parentCgroup, 0, into(AllowEntry.builder().uid(4242L).build()));
        assertThat(run(BpfEnforceLayout.INTO).result()).as("slot 0 forbids what slot 1 allows").isEqualTo(-EPERM);
        assertThat(allowList.denial(threadPidTgid())).hasValueSatisfying(d -> assertThat(d.subtreeId()).isEqualTo(parentCgroup));
    }

    @Test
    void theEnforcerBackendWouldListEveryEntry() throws Exception {
        install(ownCgroup, 0, into(AllowEntry.builder().uid(1L, 2L, 3L, 4L, 5L, 6L, 7L, 0L).build()));
        assertThat(run(BpfEnforceLayout.INTO).result()).as("the eighth entry matches").isZero();
        List<Long> eight = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        install(ownCgroup, 0, into(AllowEntry.builder().uid(eight).build()));
        assertThat(run(BpfEnforceLayout.INTO).result()).isEqualTo(-EPERM);
    }
}
