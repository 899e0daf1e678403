package dev.cgaudit.processor.functions;

import static dev.cgaudit.processor.Moves.T0;
import static dev.cgaudit.processor.Moves.byShell;
import static dev.cgaudit.processor.Moves.denied;
import static dev.cgaudit.processor.Moves.move;
import static dev.cgaudit.processor.Moves.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.processor.EncodedDecision;
import dev.cgaudit.processor.EventTime;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.Rules;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.codec.EventCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.memory.MemCheckpointStreamFactory;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFinalizer;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The router's state is changed in place (a node's buffer and windows are one mutable value each):
 * that is safe only because the heap backend copies a value before a change can reach a snapshot in
 * progress. Here the snapshot's asynchronous part runs only after the router has gone on through the
 * rest of the input, as it may in the job; a router restored from that snapshot must then raise
 * exactly what an uninterrupted one raises.
 */
class RouterSnapshotTest {

    static final EventCodec<AttachDecision> CODEC = EventCodec.of(AttachDecision.class);
    static final long LAG = ProcessorSettings.DEFAULTS.outOfOrderness().toMillis();

    @Test
    void a_snapshot_written_after_the_router_went_on_restores_to_the_same_violations() throws Exception {
        List<EncodedDecision> decisions = decisions(new Random(20261129), 3_000);
        List<String> uninterrupted = new ArrayList<>();
        try (var h = router(null)) {
            feed(h, decisions);
            finish(h);
            uninterrupted.addAll(ids(h));
        }
        assertThat(uninterrupted).as("the workload raises bursts and churn").hasSizeGreaterThan(20);

        for (int cut : new int[] {700, 1_500, 2_400}) {
            List<String> resumed = new ArrayList<>();
            OperatorSubtaskState state;
            try (var h = router(null)) {
                feed(h, decisions.subList(0, cut));
                resumed.addAll(ids(h));
                OperatorSnapshotFutures pending = h.getOperator().snapshotState(1, 0,
                        CheckpointOptions.forCheckpointWithDefaultLocation(), new MemCheckpointStreamFactory(Integer.MAX_VALUE));
                // The router goes on, changing buffers and windows, before the snapshot is written.
                feed(h, decisions.subList(cut, decisions.size()));
                finish(h);
                state = OperatorSnapshotFinalizer.create(pending).getJobManagerOwnedState();
            }
            try (var h = router(state)) {
                feed(h, decisions.subList(cut, decisions.size()));
                finish(h);
                resumed.addAll(ids(h));
            }
            assertThat(resumed).as("cut after %d decisions", cut).containsExactlyElementsOf(uninterrupted);
        }
    }

    /** Bursts and churn on three nodes, out of order by up to a second (within the 5 s bound). */
    static List<EncodedDecision> decisions(Random random, int n) {
        List<EncodedDecision> out = new ArrayList<>();
        long[] seq = new long[3];
        for (int i = 0; i < n; i++) {
            int node = random.nextInt(3);
            long millis = i * 150L + random.nextInt(1_000);
            var move = move("node-" + node, seq[node]++, T0.plusMillis(millis), "/a", "/b");
            AttachDecision d = (random.nextBoolean()
                    ? denied(byShell(move, 5000 + random.nextInt(3)))
                    : target(move, 700 + random.nextInt(6))).build();
            out.add(EncodedDecision.of(d, CODEC.encode(d)));
        }
        return out;
    }

    static KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange, PolicyViolation> router(
            OperatorSubtaskState restore) throws Exception {
        var h = RouterHarness.open(restore);
        if (restore == null) {
            long at = EventTime.millis(EventTime.micros(T0));
            h.processBroadcastElement(Rules.upsert(Rules.probing(), 1, T0), at);
            h.processBroadcastElement(Rules.upsert(Rules.bouncing(), 1, T0), at);
        }
        return h;
    }

    /** Each decision, with the watermark trailing the newest by the out-of-orderness bound, as the job's sources. */
    static void feed(KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange, PolicyViolation> h,
                     List<EncodedDecision> decisions) throws Exception {
        long newest = Long.MIN_VALUE;
        for (EncodedDecision d : decisions) {
            newest = Math.max(newest, d.millis());
            h.processElement(d, d.millis());
            h.processWatermark(newest - LAG);
            h.processBroadcastWatermark(newest - LAG);
        }
    }

    static void finish(KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange, PolicyViolation> h) throws Exception {
        h.processWatermark(Long.MAX_VALUE);
        h.processBroadcastWatermark(Long.MAX_VALUE);
    }

    /** The violations raised so far, by id in the order raised; the harness's output is emptied. */
    static List<String> ids(KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange, PolicyViolation> h) {
        List<String> ids = h.extractOutputValues().stream().map(PolicyViolation::getViolationId).toList();
        h.getOutput().clear();
        return ids;
    }
}
