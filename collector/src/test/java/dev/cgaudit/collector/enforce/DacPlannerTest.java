package dev.cgaudit.collector.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.schema.Direction;
import dev.cgaudit.schema.RuleKind;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class DacPlannerTest {

    private final DacPlanner planner = new DacPlanner();

    private static DacGrant grant(Long uid, Long gid) {
        return new DacGrant(uid == null ? OptionalLong.empty() : OptionalLong.of(uid),
                gid == null ? OptionalLong.empty() : OptionalLong.of(gid));
    }

    @Test
    void oneUidIntoASubtreeMakesThatUidTheOwnerAndOnlyRootBypasses() {
        DacPlan plan = planner.plan(Rules.onlyUid("r", "/t/dst", 65533));

        assertThat(plan.grant()).contains(grant(65533L, null));
        assertThat(plan.bypasses()).containsExactly("root (CAP_DAC_OVERRIDE) bypasses dac");
        assertThat(plan.overreach()).isEmpty();
        assertThat(plan.enforced()).isFalse();
        assertThat(plan.reason()).isEqualTo("dac enforces uid=65533 for moves into /t/dst (write on its cgroup.procs/cgroup.threads);"
                + " not enforced: root (CAP_DAC_OVERRIDE) bypasses dac");
    }

    @Test
    void allowingRootUnconditionallyAndOneOtherUidIsFullyEnforced() {
        DacPlan plan = planner.plan(Rules.enforced(PolicyRule.builder("r", RuleKind.ALLOWLIST, "/system.slice")
                .direction(Direction.INTO)
                .allow(AllowEntry.builder().uid(0L, 1000L).build())));

        assertThat(plan.grant()).contains(grant(1000L, null));
        assertThat(plan.bypasses()).isEmpty();
        assertThat(plan.overreach()).isEmpty();
        assertThat(plan.enforced()).isTrue();
    }

    @Test
    void commAndExeAreNotEnforceableAndSaySo() {
        DacPlan plan = planner.plan(Rules.enforced(PolicyRule.builder("system-slice-managers", RuleKind.ALLOWLIST, "/system.slice")
                .direction(Direction.INTO)
                .allow(AllowEntry.builder().exe("/usr/lib/systemd/systemd").build(),
                        AllowEntry.builder().uid(0L).comm("containerd", "runc").build())));

        assertThat(plan.grant()).contains(DacGrant.ROOT_ONLY);
        assertThat(plan.bypasses()).containsExactly(
                "allow[1]: comm=[containerd, runc] not enforceable by dac (uid=[0] is granted whatever its comm)",
                "root (CAP_DAC_OVERRIDE) bypasses dac");
        assertThat(plan.overreach()).containsExactly("allow[0] (exe=[/usr/lib/systemd/systemd]) names no uid or gid:"
                + " dac cannot tell such writers apart, so only root gets through for this entry");
        assertThat(plan.reason()).startsWith("dac enforces root only for moves into /system.slice");
    }

    @Test
    void aSecondUidOrGidCannotBeGrantedAndAGroupGrantAdmitsSupplementaryMembers() {
        DacPlan plan = planner.plan(Rules.enforced(PolicyRule.builder("r", RuleKind.ALLOWLIST, "/a").direction(Direction.INTO)
                .allow(AllowEntry.builder().uid(1000L, 1001L).build(), AllowEntry.builder().gid(50L, 51L).build(),
                        AllowEntry.builder().uid(0L).build())));

        assertThat(plan.grant()).contains(grant(1000L, 50L));
        assertThat(plan.overreach()).containsExactly("uid=[1001] not granted: a file has one owner (uid=1000)",
                "gid=[51] not granted: a file has one group (gid=50)");
        assertThat(plan.bypasses()).containsExactly(
                "writers with gid=50 as a supplementary group pass dac; the rule matches the effective gid only");
    }

    @Test
    void uidAndGidInOneEntryAreNotCheckedTogether() {
        DacPlan plan = planner.plan(Rules.enforced(PolicyRule.builder("r", RuleKind.ALLOWLIST, "/a").direction(Direction.INTO)
                .allow(AllowEntry.builder().uid(1000L).gid(1000L).build())));

        assertThat(plan.grant()).contains(grant(1000L, null));
        assertThat(plan.bypasses()).contains("allow[0]: gid=[1000] is not checked together with uid=[1000]"
                + " (dac grants the uid whatever its gid)");
    }

    @Test
    void directionAnyEnforcesTheWayInOnlyAndAWhenConditionIsNotEvaluated() {
        DacPlan plan = planner.plan(Rules.enforced(PolicyRule.builder("r", RuleKind.ALLOWLIST, "/a")
                .allow(AllowEntry.builder().uid(0L).build()).when("decision.writer.uid != 0")));

        assertThat(plan.grant()).contains(DacGrant.ROOT_ONLY);
        assertThat(plan.bypasses()).singleElement().asString().startsWith("moves out of /a (leaving is checked against");
        assertThat(plan.overreach()).containsExactly(
                "when `decision.writer.uid != 0` is not evaluated by dac: the restriction applies to every writer");
    }

    @Test
    void outOfAndContainmentChangeNoFileAndSayWhy() {
        DacPlan outOf = planner.plan(Rules.enforced(PolicyRule.builder("r", RuleKind.ALLOWLIST, "/a")
                .direction(Direction.OUT_OF).allow(AllowEntry.builder().uid(0L).build())));
        DacPlan containment = planner.plan(Rules.containment("c", "/user.slice"));

        for (DacPlan plan : new DacPlan[] {outOf, containment}) {
            assertThat(plan.changesFiles()).isFalse();
            assertThat(plan.enforced()).isFalse();
        }
        assertThat(containment.reason()).isEqualTo("dac cannot stop moves out of /user.slice (leaving is checked against"
                + " the cgroup.procs of the destination and of the common ancestor, both outside /user.slice;"
                + " dac changes files inside protected subtrees only)");
    }

    @Test
    void denialBurstAndChurnAreDetectionOnly() {
        assertThat(planner.plan(Rules.denialBurst("probing", "/")).reason()).startsWith("detection-only kind");
        assertThat(planner.plan(Rules.churn("bouncing", "/")).reason()).startsWith("detection-only kind");
        assertThat(planner.plan(Rules.churn("bouncing", "/")).changesFiles()).isFalse();
    }
}
