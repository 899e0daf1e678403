package dev.cgaudit.processor;

import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.StatusEvent;
import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.util.OutputTag;

/** Every state descriptor and side output of the job, in one place (names are part of savepoints). */
public final class JobDescriptors {

    public static final TypeInformation<RuleChange> RULE_CHANGE = TypeInformation.of(RuleChange.class);
    public static final TypeInformation<EncodedDecision> DECISION = TypeInformation.of(EncodedDecision.class);
    public static final TypeInformation<StatusEvent> STATUS = TypeInformation.of(StatusEvent.class);

    /** Broadcast: every accepted version of every rule, by rule id. */
    public static final MapStateDescriptor<String, List<RuleChange>> RULES =
            new MapStateDescriptor<>("rules", Types.STRING, new ListTypeInfo<>(RULE_CHANGE));

    /** Broadcast: whether the policy log has been read up to where it ended at submission (key "loaded"). */
    public static final MapStateDescriptor<String, Boolean> POLICY_LOADED =
            new MapStateDescriptor<>("policy-loaded", Types.STRING, Types.BOOLEAN);

    /** Records of the decisions topic that did not decode. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));
    /** Accepted / rejected policy commands, as StatusEvents for cgaudit.status. */
    public static final OutputTag<StatusEvent> POLICY_RESULTS = new OutputTag<>("policy-results", STATUS);

    // DecisionRouter, keyed by node
    /**
     * A node's decisions until the watermark passes them, in event-time order. (Same name as the map
     * of timer bucket → decisions it replaced: a savepoint of that layout fails to restore.)
     */
    public static final ValueStateDescriptor<List<EncodedDecision>> ROUTER_BUFFER =
            new ValueStateDescriptor<>("router-buffer", new ListTypeInfo<>(DECISION));
    public static final MapStateDescriptor<String, SeqMark> ROUTER_SEQ =
            new MapStateDescriptor<>("router-seq", Types.STRING, TypeInformation.of(SeqMark.class));
    public static final ValueStateDescriptor<Long> ROUTER_CLEANUP = new ValueStateDescriptor<>("router-cleanup", Types.LONG);
    /**
     * The node's open denial-burst / churn windows, all in one value. Same name as the map state of
     * subject → window it replaced, so a savepoint of that layout fails to restore instead of
     * restoring without its windows.
     */
    public static final ValueStateDescriptor<NodeWindows> ROUTER_WINDOWS =
            new ValueStateDescriptor<>("router-windows", TypeInformation.of(NodeWindows.class));

    // StatusDetector, keyed by node
    /** A node's statuses until the watermark passes them, in event-time order (as {@link #ROUTER_BUFFER}). */
    public static final ValueStateDescriptor<List<StatusEvent>> STATUS_BUFFER =
            new ValueStateDescriptor<>("status-buffer", new ListTypeInfo<>(STATUS));
    public static final ValueStateDescriptor<CollectorCounters> STATUS_COUNTERS =
            new ValueStateDescriptor<>("status-counters", TypeInformation.of(CollectorCounters.class));
    public static final MapStateDescriptor<String, Long> STATUS_DEGRADED =
            new MapStateDescriptor<>("status-degraded", Types.STRING, Types.LONG);
    public static final ValueStateDescriptor<Long> STATUS_CLEANUP = new ValueStateDescriptor<>("status-cleanup", Types.LONG);

    // PolicyVerifier, one key: the accepted commands of each rule, and how far the log was read
    public static final MapStateDescriptor<String, List<PolicyCommand>> POLICY_ACCEPTED = new MapStateDescriptor<>(
            "policy-accepted", Types.STRING, new ListTypeInfo<>(TypeInformation.of(PolicyCommand.class)));
    public static final MapStateDescriptor<Integer, Long> POLICY_READ_UP_TO =
            new MapStateDescriptor<>("policy-read-up-to", Types.INT, Types.LONG);
    public static final ValueStateDescriptor<Boolean> POLICY_LOADED_SENT =
            new ValueStateDescriptor<>("policy-loaded-sent", Types.BOOLEAN);

    private JobDescriptors() {
    }
}
