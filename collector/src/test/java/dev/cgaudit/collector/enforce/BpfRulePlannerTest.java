package dev.cgaudit.collector.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.Subtree;
import dev.cgaudit.schema.Direction;
import dev.cgaudit.schema.RuleKind;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BpfRulePlannerTest {

    /** /usr/bin/runc is (dev 42, ino 7); /system.slice/containerd.service is cgroup 99; nothing else exists. */
    private static final BpfRulePlanner.Resolver NODE = new BpfRulePlanner.Resolver() {
        @Override
        public Optional<long[]> exe(String path) {
            return path.equals("/usr/bin/runc") ? Optional.of(new long[] {42, 7}) : Optional.empty();
        }

        @Override
        public OptionalLong cgroupId(Subtree subtree) {
            return Map.of("/system.slice/containerd.service", 99L).entrySet().stream()
                    .filter(e -> e.getKey().equals(subtree.path())).mapToLong(Map.Entry::getValue).findFirst();
        }
    };

    private final BpfRulePlanner attach = new BpfRulePlanner(BpfRulePlanner.Hooks.CGROUP_ATTACH);
    private final BpfRulePlanner file = new BpfRulePlanner(BpfRulePlanner.Hooks.FILE);

    private static EnforcedRule managers() {
        return Rules.enforced(PolicyRule.builder("managers", RuleKind.ALLOWLIST, "/system.slice")
                .allow(AllowEntry.builder().uid(0L).comm("containerd", "runc").build(),
                        AllowEntry.builder().exe("/usr/bin/runc").build(),
                        AllowEntry.builder().writerCgroup("/system.slice/containerd.service").build()));
    }

    @Test
    void everyAllowFieldIsExpressedAndListsExpandIntoOneEntryPerCombination() {
        BpfRulePlan plan = attach.plan(managers(), NODE);

        assertThat(plan.scope()).isEqualTo(BpfEnforceLayout.INTO | BpfEnforceLayout.OUT_OF);
        assertThat(plan.entries()).containsExactly(
                new BpfEnforceLayout.Entry(BpfEnforceLayout.F_UID | BpfEnforceLayout.F_COMM, 0, 0, 0, 0, 0, "containerd"),
                new BpfEnforceLayout.Entry(BpfEnforceLayout.F_UID | BpfEnforceLayout.F_COMM, 0, 0, 0, 0, 0, "runc"),
                new BpfEnforceLayout.Entry(BpfEnforceLayout.F_EXE, 0, 0, 42, 7, 0, null),
                new BpfEnforceLayout.Entry(BpfEnforceLayout.F_WRITER_CGROUP, 0, 0, 0, 0, 99, null));
        assertThat(plan.bypasses()).isEmpty();
        assertThat(plan.enforced()).isTrue();
    }

    @Test
    void fileHooksEnforceTheWayInOnlyAndNotClone3() {
        BpfRulePlan plan = file.plan(managers(), NODE);

        assertThat(plan.scope()).isEqualTo(BpfEnforceLayout.INTO);
        assertThat(plan.enforced()).isFalse();
        assertThat(plan.bypasses()).hasSize(2);
        assertThat(plan.bypasses().get(0)).startsWith("moves out of /system.slice: file hooks see");
        assertThat(plan.bypasses().get(1)).startsWith("clone3(CLONE_INTO_CGROUP) into /system.slice");
    }

    @Test
    void containmentNeedsTheSourceWhichOnlyTheCgroupAttachHookSees() {
        assertThat(attach.plan(Rules.containment("c", "/user.slice"), NODE).scope()).isEqualTo(BpfEnforceLayout.CONTAIN);
        assertThat(attach.plan(Rules.containment("c", "/user.slice"), NODE).enforced()).isTrue();
        BpfRulePlan byFile = file.plan(Rules.containment("c", "/user.slice"), NODE);
        assertThat(byFile.installs()).isFalse();
        assertThat(byFile.reason("bpf-lsm-file")).startsWith("containment of /user.slice not enforceable");
        assertThat(file.plan(Rules.enforced(PolicyRule.builder("o", RuleKind.ALLOWLIST, "/a").direction(Direction.OUT_OF)
                .allow(AllowEntry.builder().uid(0L).build())), NODE).installs()).isFalse();
    }

    @Test
    void whatCannotMatchOnThisNodeIsSaid() {
        BpfRulePlan plan = attach.plan(Rules.enforced(PolicyRule.builder("r", RuleKind.ALLOWLIST, "/a").direction(Direction.INTO)
                .allow(AllowEntry.builder().exe("/opt/gone").build(), AllowEntry.builder().comm("a-very-long-command-name").build(),
                        AllowEntry.builder().uid(1000L).build())
                .when("decision.writer.uid != 0")), NODE);

        assertThat(plan.entries()).hasSize(2);
        assertThat(plan.overreach()).containsExactly(
                "when `decision.writer.uid != 0` is not evaluated in the kernel: the restriction applies to every writer",
                "allow[0]: exe /opt/gone does not exist here, so no writer matches it",
                "allow[1]: comm a-very-long-command-name is longer than the kernel's 15 characters, so no task has it");
        assertThat(plan.enforced()).as("stricter, never weaker").isTrue();
    }

    @Test
    void beyondEightCombinationsTheRestIsRefusedAndSaid() {
        BpfRulePlan plan = attach.plan(Rules.enforced(PolicyRule.builder("r", RuleKind.ALLOWLIST, "/a").direction(Direction.INTO)
                .allow(AllowEntry.builder().uid(1L, 2L, 3L).comm("a", "b", "c").build())), NODE);

        assertThat(plan.entries()).hasSize(BpfEnforceLayout.MAX_ENTRIES);
        assertThat(plan.overreach()).containsExactly("1 allow combination(s) beyond the 8 a map value holds are refused");
    }

    @Test
    void detectionOnlyKindsInstallNothing() {
        assertThat(attach.plan(Rules.churn("bouncing", "/"), NODE).reason("bpf-lsm-cgroup-attach")).isEqualTo("detection-only kind");
    }

    @Test
    void statDevicesBecomeTheKernelsEncoding() {
        // /dev/vda1: major 254, minor 1 -> st_dev 0xfe01, kernel dev_t 254 << 20 | 1
        assertThat(BpfEnforceLayout.kernelDev(0xfe01L)).isEqualTo((254L << 20) | 1);
        // a large minor (nvme partitions, device-mapper): minor 300 -> st_dev (300 & 0xff) | (major << 8) | ((300 & ~0xff) << 12)
        long stDev = (300L & 0xff) | (259L << 8) | ((300L & ~0xffL) << 12);
        assertThat(BpfEnforceLayout.kernelDev(stDev)).isEqualTo((259L << 20) | 300);
    }
}
