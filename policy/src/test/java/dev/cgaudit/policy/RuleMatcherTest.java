package dev.cgaudit.policy;

import static dev.cgaudit.policy.TestDecisions.allowed;
import static dev.cgaudit.policy.TestDecisions.cgroup;
import static dev.cgaudit.policy.TestDecisions.denied;
import static dev.cgaudit.policy.TestDecisions.move;
import static dev.cgaudit.policy.TestDecisions.runc;
import static dev.cgaudit.policy.TestDecisions.shell;
import static dev.cgaudit.policy.TestDecisions.systemd;
import static dev.cgaudit.policy.TestDecisions.writer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Direction;
import dev.cgaudit.schema.RuleKind;
import dev.cgaudit.schema.Target;
import dev.cgaudit.schema.Writer;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven: each case names a rule, a decision and what the matcher must say about them. */
class RuleMatcherTest {

    private final RuleMatcher matcher = new RuleMatcher();

    /** One row: the expected verdict, and words the explanation must contain. */
    record Case(String name, PolicyRule rule, AttachDecision decision, boolean concerns, boolean violated,
                Match.When when, String... explanation) {
        @Override
        public String toString() {
            return name;
        }
    }

    // --- rules -----------------------------------------------------------------------------------

    /** The DESIGN.md example's allowlist, without its condition. */
    static PolicyRule systemSliceManagers(Direction direction) {
        return PolicyRule.builder("system-slice-managers", RuleKind.ALLOWLIST, "/system.slice")
                .direction(direction)
                .allow(AllowEntry.builder().exe("/usr/lib/systemd/systemd").build(),
                        AllowEntry.builder().uid(0L).comm("containerd", "runc").build(),
                        AllowEntry.builder().writerCgroup("/system.slice/containerd.service").build())
                .build();
    }

    static PolicyRule allowOnly(AllowEntry entry) {
        return PolicyRule.builder("only", RuleKind.ALLOWLIST, "/a").allow(entry).build();
    }

    static PolicyRule containment(String subtree) {
        return PolicyRule.builder("contain", RuleKind.CONTAINMENT, subtree).build();
    }

    static PolicyRule probing() {
        return PolicyRule.builder("probing", RuleKind.DENIAL_BURST, "/").threshold(5, Duration.ofSeconds(10)).build();
    }

    static PolicyRule bouncing(String subtree) {
        return PolicyRule.builder("bouncing", RuleKind.CHURN, subtree).threshold(10, Duration.ofSeconds(60)).build();
    }

    // --- tables ----------------------------------------------------------------------------------

    static Stream<Case> subtrees() {
        PolicyRule intoA = PolicyRule.builder("into-a", RuleKind.ALLOWLIST, "/a").direction(Direction.INTO)
                .allow(AllowEntry.builder().uid(0L).build()).build();
        PolicyRule intoRoot = PolicyRule.builder("into-root", RuleKind.ALLOWLIST, "/").direction(Direction.INTO)
                .allow(AllowEntry.builder().uid(0L).build()).build();
        return Stream.of(
                new Case("/a matches /a itself", intoA, move("/x", "/a").setWriter(shell()).build(), true, true, Match.When.ABSENT,
                        "destination /a lies in /a"),
                new Case("/a matches /a/b below it", intoA, move("/x", "/a/b").setWriter(shell()).build(), true, true, Match.When.ABSENT,
                        "destination /a/b lies in /a"),
                new Case("/a does not match /ab", intoA, move("/x", "/ab").setWriter(shell()).build(), false, false, Match.When.ABSENT,
                        "destination /ab lies outside /a"),
                new Case("/a does not match its parent /", intoA, move("/x", "/").setWriter(shell()).build(), false, false, Match.When.ABSENT,
                        "outside /a"),
                new Case("/ matches everything", intoRoot, move("/x", "/deep/down/here").setWriter(shell()).build(), true, true,
                        Match.When.ABSENT, "lies in /"));
    }

    static Stream<Case> directions() {
        AttachDecision intoSystem = move("/user.slice", "/system.slice/x.service").setWriter(shell()).build();
        AttachDecision outOfSystem = move("/system.slice/x.service", "/user.slice").setWriter(shell()).build();
        AttachDecision elsewhere = move("/user.slice/a", "/user.slice/b").setWriter(shell()).build();
        return Stream.of(
                new Case("into: moving in concerns", systemSliceManagers(Direction.INTO), intoSystem, true, true, Match.When.ABSENT,
                        "destination /system.slice/x.service lies in /system.slice"),
                new Case("into: moving out does not", systemSliceManagers(Direction.INTO), outOfSystem, false, false, Match.When.ABSENT,
                        "destination /user.slice lies outside /system.slice"),
                new Case("out-of: moving out concerns", systemSliceManagers(Direction.OUT_OF), outOfSystem, true, true, Match.When.ABSENT,
                        "source /system.slice/x.service lies in /system.slice"),
                new Case("out-of: moving in does not", systemSliceManagers(Direction.OUT_OF), intoSystem, false, false, Match.When.ABSENT,
                        "source /user.slice lies outside /system.slice"),
                new Case("any: moving in concerns", systemSliceManagers(Direction.ANY), intoSystem, true, true, Match.When.ABSENT,
                        "destination"),
                new Case("any: moving out concerns", systemSliceManagers(Direction.ANY), outOfSystem, true, true, Match.When.ABSENT,
                        "source /system.slice/x.service lies in"),
                new Case("any: elsewhere does not", systemSliceManagers(Direction.ANY), elsewhere, false, false, Match.When.ABSENT,
                        "destination /user.slice/b and source /user.slice/a lie outside /system.slice"));
    }

    static Stream<Case> allowFields() {
        AttachDecision.Builder intoA = move("/x", "/a/b");
        return Stream.of(
                new Case("exe allowed", allowOnly(AllowEntry.builder().exe("/usr/bin/runc").build()),
                        intoA.setWriter(runc()).build(), true, false, Match.When.ABSENT, "matched allow entry [1]: exe /usr/bin/runc = /usr/bin/runc"),
                new Case("exe not allowed", allowOnly(AllowEntry.builder().exe("/usr/bin/runc").build()),
                        intoA.setWriter(shell()).build(), true, true, Match.When.ABSENT, "[1] exe /usr/bin/bash ≠ /usr/bin/runc"),
                new Case("exe unknown never matches", allowOnly(AllowEntry.builder().exe("/usr/bin/runc").build()),
                        intoA.setWriter(Writer.newBuilder(runc()).setExe(null).build()).build(), true, true, Match.When.ABSENT,
                        "exe unknown (process gone before lookup) ≠ /usr/bin/runc"),
                new Case("comm any-of allowed", allowOnly(AllowEntry.builder().comm("containerd", "runc").build()),
                        intoA.setWriter(runc()).build(), true, false, Match.When.ABSENT, "comm runc ∈ {containerd, runc}"),
                new Case("comm any-of not allowed", allowOnly(AllowEntry.builder().comm("containerd", "runc").build()),
                        intoA.setWriter(shell()).build(), true, true, Match.When.ABSENT, "comm bash ∉ {containerd, runc}"),
                new Case("uid allowed", allowOnly(AllowEntry.builder().uid(0L, 998L).build()),
                        intoA.setWriter(systemd()).build(), true, false, Match.When.ABSENT, "uid 0 ∈ {0, 998}"),
                new Case("uid not allowed", allowOnly(AllowEntry.builder().uid(0L).build()),
                        intoA.setWriter(shell()).build(), true, true, Match.When.ABSENT, "uid 1000 ≠ 0"),
                new Case("gid allowed", allowOnly(AllowEntry.builder().gid(1000L).build()),
                        intoA.setWriter(shell()).build(), true, false, Match.When.ABSENT, "gid 1000 = 1000"),
                new Case("gid not allowed", allowOnly(AllowEntry.builder().gid(0L).build()),
                        intoA.setWriter(shell()).build(), true, true, Match.When.ABSENT, "gid 1000 ≠ 0"),
                new Case("writerCgroup below the allowed subtree", allowOnly(AllowEntry.builder().writerCgroup("/system.slice").build()),
                        intoA.setWriter(runc()).build(), true, false, Match.When.ABSENT,
                        "writerCgroup /system.slice/containerd.service under /system.slice"),
                new Case("writerCgroup in a sibling with a common prefix", allowOnly(AllowEntry.builder().writerCgroup("/system").build()),
                        intoA.setWriter(runc()).build(), true, true, Match.When.ABSENT,
                        "writerCgroup /system.slice/containerd.service not under /system"),
                new Case("writerCgroup unresolved never matches", allowOnly(AllowEntry.builder().writerCgroup("/").build()),
                        intoA.setWriter(writer(0, "runc", "/usr/bin/runc", null)).build(), true, true, Match.When.ABSENT,
                        "writerCgroup unresolved, so not under /"),
                new Case("every field of an entry must match", allowOnly(AllowEntry.builder().uid(0L).comm("containerd").build()),
                        intoA.setWriter(runc()).build(), true, true, Match.When.ABSENT, "[1] comm runc ≠ containerd"),
                new Case("DESIGN example: a shell matches none of 3 entries", systemSliceManagers(Direction.ANY),
                        move("/user.slice", "/system.slice/nginx.service").setWriter(shell()).build(), true, true, Match.When.ABSENT,
                        "writer uid=1000 comm=bash exe=/usr/bin/bash cgroup=/user.slice/user-1000.slice/session-2.scope",
                        "matched none of 3 allow entries: [1] exe /usr/bin/bash ≠ /usr/lib/systemd/systemd;"
                                + " [2] comm bash ∉ {containerd, runc}, uid 1000 ≠ 0;"
                                + " [3] writerCgroup /user.slice/user-1000.slice/session-2.scope not under /system.slice/containerd.service"),
                new Case("DESIGN example: runc matches the second entry", systemSliceManagers(Direction.ANY),
                        move("/user.slice", "/system.slice/nginx.service").setWriter(writer(0, "runc", "/opt/runc", "/init.scope")).build(),
                        true, false, Match.When.ABSENT, "matched allow entry [2]: comm runc ∈ {containerd, runc}, uid 0 = 0"),
                new Case("a DENIED attempt is still judged (the SOC sees attempts)", systemSliceManagers(Direction.ANY),
                        denied(move("/user.slice", "/system.slice/nginx.service").setWriter(shell()), 1, "EPERM").build(),
                        true, true, Match.When.ABSENT, "DENIED (EPERM)"));
    }

    static Stream<Case> kinds() {
        return Stream.of(
                new Case("containment: moving out of the subtree escapes", containment("/user.slice"),
                        move("/user.slice/u", "/system.slice/x").build(), true, true, Match.When.ABSENT,
                        "source /user.slice/u lies in /user.slice", "destination /system.slice/x lies outside /user.slice"),
                new Case("containment: moving within the subtree is fine", containment("/user.slice"),
                        move("/user.slice/u", "/user.slice/v").build(), true, false, Match.When.ABSENT, "stays inside /user.slice"),
                new Case("containment: moving in is not its business", containment("/user.slice"),
                        move("/system.slice/x", "/user.slice/u").build(), false, false, Match.When.ABSENT,
                        "source /system.slice/x lies outside /user.slice"),
                new Case("denial-burst: a DENIED decision counts", probing(),
                        denied(move("/a", "/b").setWriter(shell()), 13, "EACCES").build(), true, true, Match.When.ABSENT,
                        "DENIED (EACCES) attempt by writer node-a/4000 (bash) counts towards 5 within PT10S"),
                new Case("denial-burst: an ALLOWED decision does not count", probing(),
                        move("/a", "/b").build(), true, false, Match.When.ABSENT, "only DENIED decisions count"),
                new Case("churn: an ALLOWED move counts for its target", bouncing("/"),
                        move("/a", "/b").setTarget(TestDecisions.target(4242)).build(), true, true, Match.When.ABSENT,
                        "target node-a/4242 (nginx) was moved, which counts towards 10 within PT1M"),
                new Case("churn: a DENIED move does not count", bouncing("/"),
                        denied(move("/a", "/b"), 16, "EBUSY").build(), true, false, Match.When.ABSENT, "only completed (ALLOWED) moves count"),
                new Case("churn: outside its subtree", bouncing("/a"),
                        move("/b", "/c").build(), false, false, Match.When.ABSENT, "outside /a"));
    }

    static Stream<Case> unresolved() {
        AttachDecision deniedAtOpen = AttachDecision.newBuilder(dev.cgaudit.testing.Decisions.deniedAtOpen().build()).build();
        return Stream.of(
                new Case("allowlist into: destination unresolved", systemSliceManagers(Direction.INTO), deniedAtOpen, false, false,
                        Match.When.ABSENT, "destination path unresolved (cgroup removed before lookup)",
                        "cannot tell whether the decision touches /system.slice"),
                new Case("allowlist out-of: no source reported", systemSliceManagers(Direction.OUT_OF), deniedAtOpen, false, false,
                        Match.When.ABSENT, "source path unresolved (the kernel did not report it for this decision)"),
                new Case("containment: no source reported", containment("/user.slice"), deniedAtOpen, false, false,
                        Match.When.ABSENT, "source path unresolved"),
                new Case("containment: destination unresolved", containment("/user.slice"),
                        move("/user.slice/u", null).build(), false, false, Match.When.ABSENT,
                        "destination path unresolved (cgroup removed before lookup): cannot tell whether it leaves /user.slice"),
                new Case("denial-burst on /: neither end known", probing(), deniedAtOpen, false, false, Match.When.ABSENT,
                        "destination path unresolved", "source path unresolved"),
                new Case("denial-burst: one end known is enough", probing(),
                        denied(allowed().setSource(cgroup("/user.slice")).setDestination(cgroup(null)), 13, "EACCES").build(),
                        true, true, Match.When.ABSENT, "source /user.slice lies in /"),
                new Case("churn: no target", bouncing("/"),
                        move("/a", "/b").setTarget(Target.newBuilder().setPid(99).setTgid(null).setComm(null).build()).build(),
                        false, false, Match.When.ABSENT, "target unknown"),
                new Case("allowlist: writer with unknown exe and cgroup", allowOnly(AllowEntry.builder().exe("/bin/x").build()),
                        move("/x", "/a").setWriter(writer(5, "x", null, null)).build(), true, true, Match.When.ABSENT,
                        "writer uid=5 comm=x exe=? cgroup=?"));
    }

    static Stream<Case> conditions() {
        PolicyRule nonRootOnly = PolicyRule.builder("non-root", RuleKind.ALLOWLIST, "/system.slice")
                .allow(AllowEntry.builder().exe("/usr/lib/systemd/systemd").build())
                .when("decision.writer.uid != 0")
                .build();
        PolicyRule failing = PolicyRule.builder("failing", RuleKind.CONTAINMENT, "/user.slice")
                .when("1 / decision.errno == 1")
                .build();
        return Stream.of(
                new Case("when true: the rule applies", nonRootOnly,
                        move("/user.slice", "/system.slice/x").setWriter(shell()).build(), true, true, Match.When.TRUE,
                        "when `decision.writer.uid != 0` is true"),
                new Case("when false: the rule does not apply", nonRootOnly,
                        move("/user.slice", "/system.slice/x").setWriter(runc()).build(), false, false, Match.When.FALSE,
                        "when `decision.writer.uid != 0` is false, so the rule does not apply"),
                new Case("when not evaluated outside the subtree", nonRootOnly,
                        move("/a", "/b").setWriter(shell()).build(), false, false, Match.When.NOT_EVALUATED, "outside /system.slice"),
                new Case("when failing at run time: not concerned, and said so", failing,
                        move("/user.slice/u", "/x").build(), false, false, Match.When.FAILED,
                        "when could not be evaluated", "1 / decision.errno == 1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"subtrees", "directions", "allowFields", "kinds", "unresolved", "conditions"})
    void decidesAndExplains(Case c) {
        Match match = matcher.evaluate(c.rule(), c.decision());

        assertThat(match.concerns()).as("concerns; explanation: %s", match.explanation()).isEqualTo(c.concerns());
        assertThat(match.violated()).as("violated; explanation: %s", match.explanation()).isEqualTo(c.violated());
        assertThat(match.when()).as("when").isEqualTo(c.when());
        assertThat(match.explanation()).contains(c.explanation());
        assertThat(match.rule()).isSameAs(c.rule());
    }

    @Test
    void theSameDecisionReachesEveryRuleWhoseSubtreeItTouches() {
        AttachDecision escape = move("/user.slice/u", "/system.slice/x").setWriter(shell()).build();
        assertThat(matcher.evaluate(containment("/user.slice"), escape).violated()).isTrue();
        assertThat(matcher.evaluate(systemSliceManagers(Direction.INTO), escape).violated()).isTrue();
    }
}
