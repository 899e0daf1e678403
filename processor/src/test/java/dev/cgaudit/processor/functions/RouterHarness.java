package dev.cgaudit.processor.functions;

import dev.cgaudit.processor.EncodedDecision;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.schema.PolicyViolation;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/** A {@link DecisionRouter} with the job's defaults in Flink's operator test harness, snapshots unbounded in size. */
public final class RouterHarness {

    private RouterHarness() {
    }

    /** @param restore state to start from (the rules come back with the broadcast state), or null for a fresh router */
    public static KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange, PolicyViolation> open(
            OperatorSubtaskState restore) throws Exception {
        var h = new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(
                new DecisionRouter(ProcessorSettings.DEFAULTS, false, KeyArrival.NEARLY_ORDERED), List.of(JobDescriptors.RULES, JobDescriptors.POLICY_LOADED)),
                EncodedDecision::node, Types.STRING, 1, 1, 0);
        // The harness's default keeps snapshots in memory up to 5 MB; a fleet's state is larger.
        h.setCheckpointStorage(new JobManagerCheckpointStorage(Integer.MAX_VALUE));
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }
}
