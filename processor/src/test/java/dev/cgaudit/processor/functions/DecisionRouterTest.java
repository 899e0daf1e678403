package dev.cgaudit.processor.functions;

import static dev.cgaudit.processor.Moves.T0;
import static dev.cgaudit.processor.Moves.byShell;
import static dev.cgaudit.processor.Moves.denied;
import static dev.cgaudit.processor.Moves.move;
import static dev.cgaudit.processor.Moves.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.processor.EncodedDecision;
import dev.cgaudit.processor.EventTime;
import dev.cgaudit.processor.HarnessState;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.Rules;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.ViolationKind;
import dev.cgaudit.schema.codec.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DecisionRouterTest {

    static final EventCodec<AttachDecision> CODEC = EventCodec.of(AttachDecision.class);
    static final ProcessorSettings SETTINGS = ProcessorSettings.DEFAULTS.withNodeRetention(Duration.ofMinutes(10));

    KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange, PolicyViolation> harness;

    KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange, PolicyViolation> router(boolean awaitPolicy) throws Exception {
        harness = router(awaitPolicy, KeyArrival.NEARLY_ORDERED);
        return harness;
    }

    static KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange, PolicyViolation> router(
            boolean awaitPolicy, KeyArrival arrival) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new DecisionRouter(SETTINGS, awaitPolicy, arrival),
                EncodedDecision::node, Types.STRING, JobDescriptors.RULES, JobDescriptors.POLICY_LOADED);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static void send(KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange, PolicyViolation> h,
                     AttachDecision.Builder d) throws Exception {
        AttachDecision decision = d.build();
        h.processElement(EncodedDecision.of(decision, CODEC.encode(decision)), EventTime.millis(decision));
    }

    static void rule(KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange, PolicyViolation> h,
                     RuleChange change) throws Exception {
        h.processBroadcastElement(change, EventTime.millis(change.issuedAtMicros()));
    }

    /** Both inputs: the operator's watermark is the lower of the two. */
    static void advance(KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange, PolicyViolation> h, long ms)
            throws Exception {
        h.processWatermark(ms);
        h.processBroadcastWatermark(ms);
    }

    static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void an_allowlist_violation_is_raised_once_the_watermark_passes_the_decision() throws Exception {
        var h = router(false);
        rule(h, Rules.upsert(Rules.managers(Mode.AUDIT), 1, T0.minusSeconds(60)));

        send(h, byShell(move("node-a", 0, at(1), "/user.slice", "/system.slice/nginx.service"), 5000));
        assertThat(h.extractOutputValues()).as("held until the watermark passes it").isEmpty();

        advance(h, EventTime.millis(EventTime.micros(at(2))));
        List<PolicyViolation> out = h.extractOutputValues();
        assertThat(out).singleElement().satisfies(v -> {
            assertThat(v.getKind()).isEqualTo(ViolationKind.UNAUTHORIZED_MIGRATION);
            assertThat(v.getRuleId()).isEqualTo("system-slice-managers");
            assertThat(v.getRuleVersion()).isEqualTo(1);
            assertThat(v.getMode()).isEqualTo(Mode.AUDIT);
            assertThat(v.getDecisionIds()).containsExactly("node-a/" + dev.cgaudit.processor.Moves.BOOT + "/0");
            assertThat(v.getExplanation()).contains("matched none of 1 allow entry").contains("exe /usr/bin/bash");
        });
    }

    @Test
    void a_drain_releases_every_decision_the_watermark_passed_in_order_even_within_a_timer_bucket() throws Exception {
        var h = router(false);
        rule(h, Rules.upsert(Rules.managers(Mode.AUDIT), 1, T0.minusSeconds(60)));
        // 1.010 s and 1.050 s share the 100 ms timer bucket ending at 1.099 s; 0.950 s is in the one before.
        send(h, byShell(move("node-a", 1, T0.plusMillis(1_010), "/user.slice", "/system.slice/a.service"), 5000));
        send(h, byShell(move("node-a", 2, T0.plusMillis(1_050), "/user.slice", "/system.slice/a.service"), 5000));
        send(h, byShell(move("node-a", 0, T0.plusMillis(950), "/user.slice", "/system.slice/a.service"), 5000));

        advance(h, T0.plusMillis(1_030).toEpochMilli());
        assertThat(h.extractOutputValues()).as("the earlier bucket, and what the watermark passed of the next")
                .flatExtracting(PolicyViolation::getDecisionIds)
                .containsExactly("node-a/" + dev.cgaudit.processor.Moves.BOOT + "/0", "node-a/" + dev.cgaudit.processor.Moves.BOOT + "/1");

        advance(h, T0.plusMillis(1_100).toEpochMilli());
        assertThat(h.extractOutputValues()).flatExtracting(PolicyViolation::getDecisionIds).containsExactly(
                "node-a/" + dev.cgaudit.processor.Moves.BOOT + "/0", "node-a/" + dev.cgaudit.processor.Moves.BOOT + "/1",
                "node-a/" + dev.cgaudit.processor.Moves.BOOT + "/2");
        advance(h, Long.MAX_VALUE);
        assertThat(HarnessState.keyedEntries(h)).as("buffer drained; at the end of time the seq marks go too").isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    /**
     * BATCH hands the router a node's decisions in no particular order (its sort has one timestamp
     * for all of them: ReplayJob.SORT_TIMESTAMP) and fires the node's timers after the last one. Window
     * counts and seq gaps depend on the order, so the router sorts them at the drain: the same findings,
     * in the same order, as from decisions that came in order.
     */
    @Test
    void whole_key_first_decisions_in_any_order_raise_what_ordered_decisions_raise() throws Exception {
        List<AttachDecision.Builder> ordered = new ArrayList<>();
        for (int seq = 0; seq < 60; seq++) {
            if (seq == 41) {
                continue;   // a gap: COLLECTOR_LOSS, but only when seq 40 and 42 are judged in order
            }
            Instant when = T0.plusMillis(700L * seq);
            ordered.add(switch (seq % 3) {
                case 0 -> denied(byShell(move("node-a", seq, when, null, "/x"), 5000));
                case 1 -> byShell(move("node-a", seq, when, "/user.slice", "/system.slice/a.service"), 5000);
                default -> target(move("node-a", seq, when, "/a", "/b"), 777);
            });
        }
        List<AttachDecision.Builder> scrambled = new ArrayList<>(ordered);
        Collections.reverse(scrambled);
        Collections.shuffle(scrambled.subList(0, 30), new Random(5));

        List<PolicyViolation> expected;
        try (var inOrder = router(false, KeyArrival.NEARLY_ORDERED)) {
            expected = judgeAll(inOrder, ordered);
        }
        harness = router(false, KeyArrival.WHOLE_KEY_FIRST);
        List<PolicyViolation> out = judgeAll(harness, scrambled);

        assertThat(expected).extracting(PolicyViolation::getKind).contains(ViolationKind.UNAUTHORIZED_MIGRATION,
                ViolationKind.DENIAL_BURST, ViolationKind.CHURN, ViolationKind.COLLECTOR_LOSS);
        assertThat(out).containsExactlyElementsOf(expected);
        assertThat(harness.numEventTimeTimers()).as("one timer for the key, fired").isZero();
    }

    private static List<PolicyViolation> judgeAll(KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange,
            PolicyViolation> h, List<AttachDecision.Builder> decisions) throws Exception {
        rule(h, Rules.upsert(Rules.managers(Mode.AUDIT), 1, T0.minusSeconds(60)));
        rule(h, Rules.upsert(Rules.probing(), 1, T0.minusSeconds(60)));
        rule(h, Rules.upsert(Rules.bouncing(), 1, T0.minusSeconds(60)));
        for (AttachDecision.Builder d : decisions) {
            send(h, d);
        }
        advance(h, Long.MAX_VALUE);
        return h.extractOutputValues();
    }

    @Test
    void systemd_moving_into_system_slice_is_no_violation() throws Exception {
        var h = router(false);
        rule(h, Rules.upsert(Rules.managers(Mode.ENFORCE), 1, T0.minusSeconds(60)));
        send(h, move("node-a", 0, at(1), "/user.slice", "/system.slice/nginx.service"));
        advance(h, Long.MAX_VALUE);
        assertThat(h.extractOutputValues()).isEmpty();
    }

    @Test
    void rule_versions_apply_by_event_time_not_by_arrival() throws Exception {
        var h = router(false);
        rule(h, Rules.upsert(Rules.managers(Mode.AUDIT), 1, T0));
        // v2 arrives before the decisions, but is in force only from T0+10s.
        rule(h, Rules.setMode(Rules.managers(Mode.ENFORCE), Mode.AUDIT, 2, at(10)));

        send(h, byShell(move("node-a", 0, at(5), "/user.slice", "/system.slice/a.service"), 5000));
        send(h, byShell(move("node-a", 1, at(15), "/user.slice", "/system.slice/a.service"), 5000));
        advance(h, Long.MAX_VALUE);

        List<PolicyViolation> out = h.extractOutputValues();
        assertThat(out).extracting(PolicyViolation::getKind, PolicyViolation::getRuleVersion, PolicyViolation::getMode)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(ViolationKind.UNAUTHORIZED_MIGRATION, 1L, Mode.AUDIT),
                        org.assertj.core.groups.Tuple.tuple(ViolationKind.UNAUTHORIZED_MIGRATION, 2L, Mode.ENFORCE),
                        org.assertj.core.groups.Tuple.tuple(ViolationKind.ENFORCEMENT_BYPASS, 2L, Mode.ENFORCE));
    }

    @Test
    void a_denied_attempt_against_an_enforced_rule_is_a_violation_but_no_bypass() throws Exception {
        var h = router(false);
        rule(h, Rules.upsert(Rules.managers(Mode.ENFORCE), 1, T0));
        send(h, denied(byShell(move("node-a", 0, at(5), "/user.slice", "/system.slice/a.service"), 5000)));
        advance(h, Long.MAX_VALUE);
        assertThat(h.extractOutputValues()).extracting(PolicyViolation::getKind, v -> v.getOutcomes().get(0).name())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ViolationKind.UNAUTHORIZED_MIGRATION, "DENIED"));
    }

    @Test
    void moving_a_process_out_of_a_contained_subtree_is_an_escape() throws Exception {
        var h = router(false);
        rule(h, Rules.upsert(Rules.userContainment(Mode.AUDIT), 1, T0));
        send(h, move("node-a", 0, at(1), "/user.slice/user-1000.slice", "/system.slice/x.service"));
        send(h, move("node-a", 1, at(2), "/user.slice/user-1000.slice", "/user.slice/user-1001.slice"));
        advance(h, Long.MAX_VALUE);
        assertThat(h.extractOutputValues()).singleElement().satisfies(v -> {
            assertThat(v.getKind()).isEqualTo(ViolationKind.SUBTREE_ESCAPE);
            assertThat(v.getSubtree()).isEqualTo("/user.slice");
            assertThat(v.getExplanation()).contains("lies outside /user.slice");
        });
    }

    @Test
    void burst_and_churn_decisions_are_counted_per_subject_not_per_rule() throws Exception {
        var h = router(false);
        rule(h, Rules.upsert(Rules.probing(), 1, T0));
        rule(h, Rules.upsert(Rules.bouncing(), 1, T0));
        send(h, denied(byShell(move("node-a", 0, at(1), null, "/x"), 5000)));
        send(h, target(move("node-a", 1, at(2), "/a", "/b"), 777));
        send(h, denied(byShell(move("node-b", 0, at(3), null, "/x"), 6000)));
        advance(h, EventTime.millis(EventTime.micros(at(4))));

        assertThat(h.extractOutputValues()).isEmpty();
        List<String> subjects = new ArrayList<>();
        h.getOperator().getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                JobDescriptors.ROUTER_WINDOWS, (node, windows) -> windows.value().forEach(
                        (rule, tgid, expiresAt, counted) -> subjects.add(node + ": " + rule + "|" + tgid)));
        assertThat(subjects).containsExactlyInAnyOrder("node-a: probing|5000", "node-a: bouncing|777", "node-b: probing|6000");
    }

    @Test
    void a_gap_in_a_nodes_seq_is_collector_loss_and_reordering_within_the_bound_is_not() throws Exception {
        var h = router(false);
        send(h, move("node-a", 0, at(1), "/a", "/b"));
        send(h, move("node-a", 2, at(3), "/a", "/b"));   // arrives before seq 1: no gap once sorted
        send(h, move("node-a", 1, at(2), "/a", "/b"));
        send(h, move("node-a", 6, at(6), "/a", "/b"));   // 3, 4, 5 never arrive
        advance(h, Long.MAX_VALUE);

        assertThat(h.extractOutputValues()).singleElement().satisfies(v -> {
            assertThat(v.getKind()).isEqualTo(ViolationKind.COLLECTOR_LOSS);
            assertThat(v.getRuleId()).isEqualTo("builtin:collector-loss");
            assertThat(v.getCount()).isEqualTo(3);
            assertThat(v.getExplanation()).startsWith("seq 3..5 of node-a/");
        });
    }

    @Test
    void a_nodes_state_and_timers_are_gone_once_it_has_been_quiet_for_the_retention() throws Exception {
        var h = router(false);
        rule(h, Rules.upsert(Rules.managers(Mode.AUDIT), 1, T0));
        send(h, move("node-a", 0, at(1), "/a", "/b"));
        send(h, move("node-a", 1, at(2), "/a", "/b"));
        advance(h, EventTime.millis(EventTime.micros(at(3))));
        assertThat(HarnessState.keyedEntries(h)).as("seq bookkeeping kept while the node may still speak").isPositive();

        advance(h, EventTime.millis(EventTime.micros(at(2).plus(SETTINGS.nodeRetention()).plusSeconds(61))));
        assertThat(HarnessState.keyedEntries(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void a_decision_due_when_the_nodes_cleanup_was_due_is_judged_when_the_watermark_passes_it() throws Exception {
        var h = router(false);
        rule(h, Rules.upsert(Rules.managers(Mode.AUDIT), 1, T0.minusSeconds(60)));
        long t0 = EventTime.millis(EventTime.micros(at(1)));
        // The cleanup timer the first decision asks for, and a decision whose timer bucket ends just then.
        long firstCleanup = EventTime.roundUp(t0 + SETTINGS.nodeRetention().toMillis(), 60_000);
        Instant sameTime = Instant.ofEpochMilli(firstCleanup - 50);
        send(h, move("node-a", 0, at(1), "/a", "/b"));
        send(h, move("node-a", 1, at(120), "/a", "/b"));
        send(h, byShell(move("node-a", 2, sameTime, "/user.slice", "/system.slice/x.service"), 5000));
        // Judging seq 1 moves the node's cleanup later; the earlier cleanup time is the buffer's next timer.
        advance(h, EventTime.millis(EventTime.micros(at(121))));
        assertThat(h.extractOutputValues()).isEmpty();

        advance(h, firstCleanup);
        assertThat(h.extractOutputValues()).as("seq 2 judged once the watermark passed it").singleElement()
                .satisfies(v -> assertThat(v.getDecisionIds()).containsExactly("node-a/" + dev.cgaudit.processor.Moves.BOOT + "/2"));
    }

    @Test
    void until_the_policy_is_loaded_decisions_wait_even_past_the_watermark() throws Exception {
        var h = router(true);
        rule(h, Rules.upsert(Rules.managers(Mode.AUDIT), 1, T0));
        send(h, byShell(move("node-a", 0, at(1), "/user.slice", "/system.slice/a.service"), 5000));
        advance(h, Long.MAX_VALUE - 1);
        assertThat(h.extractOutputValues()).isEmpty();

        rule(h, RuleChange.policyLoaded());
        h.setProcessingTime(PolicyGate.recheckAt(0) + PolicyGate.RECHECK_MILLIS);
        assertThat(h.extractOutputValues()).extracting(PolicyViolation::getKind).containsExactly(ViolationKind.UNAUTHORIZED_MIGRATION);
    }
}
