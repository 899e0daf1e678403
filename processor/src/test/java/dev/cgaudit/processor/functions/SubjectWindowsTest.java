package dev.cgaudit.processor.functions;

import static dev.cgaudit.processor.Moves.BOOT;
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
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.ViolationKind;
import dev.cgaudit.schema.codec.EventCodec;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DENIAL_BURST and CHURN windows, through the router that keeps them (keyed by node, one window per
 * rule + subject tgid in the node's state): what is raised, and that nothing is left behind.
 */
class SubjectWindowsTest {

    static final EventCodec<AttachDecision> CODEC = EventCodec.of(AttachDecision.class);
    static final ProcessorSettings SETTINGS = ProcessorSettings.DEFAULTS.withNodeRetention(Duration.ofMinutes(10));
    /** Far enough for every window to expire and the node's seq bookkeeping to go. */
    static final Instant END = T0.plus(Duration.ofHours(1));

    KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange, PolicyViolation> h;

    @BeforeEach
    void open() throws Exception {
        h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new DecisionRouter(SETTINGS, false, KeyArrival.NEARLY_ORDERED),
                EncodedDecision::node, Types.STRING, JobDescriptors.RULES, JobDescriptors.POLICY_LOADED);
        h.processBroadcastElement(Rules.upsert(Rules.probing(), 1, T0), EventTime.millis(EventTime.micros(T0)));
        h.processBroadcastElement(Rules.upsert(Rules.bouncing(), 1, T0), EventTime.millis(EventTime.micros(T0)));
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    /** The seq-th decision of {@code node}: a DENIED attempt by shell {@code tgid} at T0 + millis. */
    void attempt(String node, int tgid, int seq, long millis) throws Exception {
        send(denied(byShell(move(node, seq, T0.plusMillis(millis), "/a", "/b"), tgid)).build());
    }

    /** The seq-th decision of {@code node}: target {@code tgid} moved (allowed) at T0 + millis. */
    void moved(String node, int tgid, int seq, long millis) throws Exception {
        send(target(move(node, seq, T0.plusMillis(millis), "/a", "/b"), tgid).build());
    }

    void send(AttachDecision d) throws Exception {
        h.processElement(EncodedDecision.of(d, CODEC.encode(d)), EventTime.millis(d));
    }

    void advance(Instant t) throws Exception {
        advance(t.toEpochMilli());
    }

    void advance(long ms) throws Exception {
        h.processWatermark(ms);
        h.processBroadcastWatermark(ms);
    }

    long windows() {
        return HarnessState.keysWith(h, JobDescriptors.ROUTER_WINDOWS.getName());
    }

    static String id(String node, int seq) {
        return node + "/" + BOOT + "/" + seq;
    }

    @Test
    void five_denials_within_ten_seconds_are_one_burst_in_event_time_order_whatever_the_arrival() throws Exception {
        int[] arrival = {3, 0, 4, 1, 2};
        for (int i : arrival) {
            attempt("node-a", 5000, i, i * 2_000L);
        }
        advance(T0.plusSeconds(30));
        assertThat(h.extractOutputValues()).singleElement().satisfies(v -> {
            assertThat(v.getKind()).isEqualTo(ViolationKind.DENIAL_BURST);
            assertThat(v.getRuleId()).isEqualTo("probing");
            assertThat(v.getDecisionIds()).containsExactly(id("node-a", 0), id("node-a", 1), id("node-a", 2),
                    id("node-a", 3), id("node-a", 4));
            assertThat(v.getOutcomes()).containsOnly(Outcome.DENIED);
            assertThat(v.getCount()).isEqualTo(5);
            assertThat(v.getFirstSeen()).isEqualTo(T0);
            assertThat(v.getLastSeen()).isEqualTo(T0.plusSeconds(8));
            assertThat(v.getNodes()).containsExactly("node-a");
            assertThat(v.getExplanation()).isEqualTo("rule probing v1 (denial-burst, audit, subtree /): "
                    + "5 DENIED attempts by writer node-a/5000 (bash) within 8.000 s, threshold 5 within 10000 ms");
        });
        assertThat(windows()).as("the window completed: counting starts afresh").isZero();
        advance(END);
        assertThat(HarnessState.keyedEntries(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void attempts_more_than_the_window_apart_drop_out_and_expired_windows_leave_nothing_behind() throws Exception {
        for (int i = 0; i < 4; i++) {
            attempt("node-a", 5000, i, i * 1_000L);
        }
        attempt("node-a", 5000, 4, 10_500);   // 10.5 s after the first: the first drops out, 4 remain
        advance(T0.plusSeconds(11));
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(windows()).as("an open window").isEqualTo(1);

        attempt("node-a", 5000, 5, 11_000);   // exactly 10 s after seq 1: still within, so 1..5 make five
        advance(T0.plusSeconds(12));
        assertThat(h.extractOutputValues()).singleElement()
                .satisfies(v -> assertThat(v.getDecisionIds()).first().isEqualTo(id("node-a", 1)));

        attempt("node-a", 5000, 6, 12_000);
        advance(T0.plusSeconds(12).plusMillis(500));
        assertThat(windows()).as("seq 6 opens a window").isEqualTo(1);
        advance(T0.plusSeconds(40));
        assertThat(h.extractOutputValues()).hasSize(1);
        assertThat(windows()).as("expired window cleared by the sweep after its expiry").isZero();
        advance(END);
        assertThat(HarnessState.keyedEntries(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void subjects_are_counted_apart_by_tgid_and_by_node() throws Exception {
        int[] seqs = new int[2];
        for (int i = 0; i < 8; i++) {
            String node = i % 2 == 0 ? "node-a" : "node-b";
            attempt(node, i < 4 ? 5000 : 6000, seqs[i % 2]++, i * 100L);
        }
        advance(T0.plusSeconds(5));
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(windows()).as("one node key each, holding two subjects").isEqualTo(2);
        advance(END);
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(HarnessState.keyedEntries(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void a_target_moved_three_times_within_a_minute_is_churn() throws Exception {
        moved("node-a", 777, 0, 0);
        moved("node-a", 778, 1, 1_000);
        moved("node-a", 777, 2, 20_000);
        attempt("node-a", 5000, 3, 21_000);   // a DENIED move: counted for the writer, not as churn
        moved("node-a", 777, 4, 59_000);
        advance(T0.plusSeconds(61));
        assertThat(h.extractOutputValues()).singleElement().satisfies(v -> {
            assertThat(v.getKind()).isEqualTo(ViolationKind.CHURN);
            assertThat(v.getDecisionIds()).containsExactly(id("node-a", 0), id("node-a", 2), id("node-a", 4));
            assertThat(v.getSeverity().name()).isEqualTo("LOW");
            assertThat(v.getExplanation()).contains("3 completed moves of target node-a/777 (worker) within 59.000 s");
        });
    }

    @Test
    void deleting_a_rule_clears_the_windows_of_all_its_subjects_on_every_node_and_no_other() throws Exception {
        attempt("node-a", 5000, 0, 0);
        attempt("node-b", 6000, 0, 0);
        moved("node-a", 77, 1, 0);
        advance(T0.plusSeconds(1));
        assertThat(windows()).isEqualTo(2);

        h.processBroadcastElement(Rules.delete("probing", 2, T0.plusSeconds(1)), T0.plusSeconds(1).toEpochMilli());
        assertThat(windows()).as("only bouncing's window on node-a is left").isEqualTo(1);

        advance(END);
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(HarnessState.keyedEntries(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void at_the_end_of_a_bounded_input_windows_counted_in_the_last_drain_go_at_once() throws Exception {
        for (int i = 0; i < 7; i++) {
            attempt("node-a", 5000, i, i * 500L);
        }
        advance(Long.MAX_VALUE);
        assertThat(h.extractOutputValues()).singleElement()
                .satisfies(v -> assertThat(v.getDecisionIds()).hasSize(5).first().isEqualTo(id("node-a", 0)));
        assertThat(windows()).as("the two counted after the burst expired with the end of time").isZero();
        // (The node's seq marks stay: a bounded job's end discards its state; DecisionRouterTest covers them.)
        assertThat(h.numEventTimeTimers()).isZero();
    }
}
