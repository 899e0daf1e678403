package dev.cgaudit.processor.functions;

import static dev.cgaudit.processor.Moves.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.processor.EventTime;
import dev.cgaudit.processor.HarnessState;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.RoutedDecision;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.Rules;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.Severity;
import dev.cgaudit.schema.ViolationKind;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WindowDetectorTest {

    KeyedBroadcastOperatorTestHarness<String, RoutedDecision, RuleChange, PolicyViolation> h;

    @BeforeEach
    void open() throws Exception {
        h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new WindowDetector(ProcessorSettings.DEFAULTS),
                RoutedDecision::key, Types.STRING, JobDescriptors.RULES, JobDescriptors.POLICY_LOADED);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    /** The seq-th DENIED attempt of writer node-a/5000 under "probing" (5 within 10 s), at T0 + millis. */
    static RoutedDecision attempt(String node, int tgid, int seq, long millis) {
        return new RoutedDecision(RoutedDecision.key("probing", node, tgid), 1, Mode.AUDIT, Severity.MEDIUM,
                ViolationKind.DENIAL_BURST, "/", 5, 10_000, "bash", node + "/boot/" + seq,
                EventTime.micros(T0.plusMillis(millis)), Outcome.DENIED);
    }

    void send(RoutedDecision r) throws Exception {
        h.processElement(r, EventTime.millis(r.timestampMicros()));
    }

    void advance(Instant t) throws Exception {
        long ms = t.toEpochMilli();
        h.processWatermark(ms);
        h.processBroadcastWatermark(ms);
    }

    @Test
    void five_denials_within_ten_seconds_are_one_burst_in_event_time_order_whatever_the_arrival() throws Exception {
        int[] arrival = {3, 0, 4, 1, 2};
        for (int i : arrival) {
            send(attempt("node-a", 5000, i, i * 2_000L));
        }
        advance(T0.plusSeconds(30));
        assertThat(h.extractOutputValues()).singleElement().satisfies(v -> {
            assertThat(v.getKind()).isEqualTo(ViolationKind.DENIAL_BURST);
            assertThat(v.getDecisionIds()).containsExactly("node-a/boot/0", "node-a/boot/1", "node-a/boot/2",
                    "node-a/boot/3", "node-a/boot/4");
            assertThat(v.getCount()).isEqualTo(5);
            assertThat(v.getFirstSeen()).isEqualTo(T0);
            assertThat(v.getLastSeen()).isEqualTo(T0.plusSeconds(8));
            assertThat(v.getNodes()).containsExactly("node-a");
            assertThat(v.getExplanation()).contains("5 DENIED attempts by writer node-a/5000 (bash) within 8.000 s");
        });
        assertThat(HarnessState.keyedEntries(h)).as("the window completed: counting starts afresh").isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void attempts_more_than_the_window_apart_drop_out_and_expired_windows_leave_nothing_behind() throws Exception {
        for (int i = 0; i < 4; i++) {
            send(attempt("node-a", 5000, i, i * 1_000L));
        }
        send(attempt("node-a", 5000, 4, 10_500));   // 10.5 s after the first: the first drops out, 4 remain
        advance(T0.plusSeconds(11));
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(HarnessState.keyedEntries(h)).as("an open window").isPositive();

        send(attempt("node-a", 5000, 5, 11_000));   // exactly 10 s after seq 1: still within, so 1..5 make five
        advance(T0.plusSeconds(12));
        assertThat(h.extractOutputValues()).singleElement()
                .satisfies(v -> assertThat(v.getDecisionIds()).first().isEqualTo("node-a/boot/1"));

        send(attempt("node-a", 5000, 6, 12_000));
        advance(T0.plusSeconds(40));
        assertThat(h.extractOutputValues()).hasSize(1);
        assertThat(HarnessState.keyedEntries(h)).as("expired window cleared").isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void subjects_are_counted_apart() throws Exception {
        for (int i = 0; i < 5; i++) {
            send(attempt(i % 2 == 0 ? "node-a" : "node-b", 5000, i, i * 100L));
        }
        advance(T0.plusSeconds(60));
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(HarnessState.keyedEntries(h)).isZero();
    }

    @Test
    void deleting_a_rule_clears_the_windows_of_all_its_subjects_and_no_other() throws Exception {
        send(attempt("node-a", 5000, 0, 0));
        send(attempt("node-b", 6000, 0, 0));
        RoutedDecision other = new RoutedDecision(RoutedDecision.key("bouncing", "node-a", 77), 1, Mode.AUDIT,
                Severity.LOW, ViolationKind.CHURN, "/", 3, 60_000, null, "node-a/boot/9", EventTime.micros(T0),
                Outcome.ALLOWED);
        send(other);
        advance(T0.plusSeconds(1));
        int before = HarnessState.keyedEntries(h);

        h.processBroadcastElement(Rules.delete("probing", 2, T0.plusSeconds(1)), T0.plusSeconds(1).toEpochMilli());
        assertThat(HarnessState.keyedEntries(h)).as("only bouncing's window is left").isLessThan(before).isEqualTo(1);

        advance(T0.plusSeconds(120));
        assertThat(HarnessState.keyedEntries(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.extractOutputValues()).isEmpty();
    }
}
