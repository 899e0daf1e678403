package dev.cgaudit.processor;

import dev.cgaudit.processor.functions.DecisionRouter;
import dev.cgaudit.processor.functions.KeyArrival;
import dev.cgaudit.processor.functions.ModeDowngrades;
import dev.cgaudit.processor.functions.StatusDetector;
import dev.cgaudit.processor.types.ViolationSerializer;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.StatusEvent;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job graph both modes share: decisions, verified rule changes and collector statuses in,
 * violations out. Sources and sinks are the caller's ({@link LiveJob}: Kafka; {@link
 * dev.cgaudit.processor.replay.ReplayJob}: files or a Kafka time range, in BATCH), so the
 * correlation itself is one piece of code whichever way it runs.
 *
 * <pre>
 *  decisions ─keyBy(node)──▶ route-decisions (DecisionRouter: per-decision rules, windows per subject) ──▶ violations
 *                               ▲ broadcast rules
 *  rule changes ─broadcast──────┤
 *                               └──▶ status-detector ◀─keyBy(node)─ collector statuses
 *  rule changes ──▶ mode-downgrades
 * </pre>
 */
public final class DecisionJob {

    public static final String ROUTER_UID = "route-decisions";
    public static final String STATUS_UID = "status-detector";
    public static final String DOWNGRADE_UID = "mode-downgrades";

    private DecisionJob() {
    }

    /**
     * What both wirings set on their environment: records are not copied between chained operators
     * (no function keeps or changes a record it has emitted), and a type that would fall back to
     * Kryo fails the job when it is built instead of costing a generic round trip per record.
     */
    public static void configure(StreamExecutionEnvironment env) {
        Configuration config = new Configuration();
        config.set(PipelineOptions.GENERIC_TYPES, false);
        config.set(PipelineOptions.OBJECT_REUSE, true);
        env.configure(config);
    }

    /**
     * @param statuses    collector statuses; null where the input has none (replay from files)
     * @param awaitPolicy hold decisions until {@code rules} says the policy log is loaded; true for the
     *                    live job, false where the rules are complete before any decision (BATCH replay)
     * @param arrival     how a node's decisions reach the router: {@link KeyArrival#NEARLY_ORDERED} live,
     *                    {@link KeyArrival#WHOLE_KEY_FIRST} in BATCH
     */
    public static DataStream<PolicyViolation> correlate(DataStream<EncodedDecision> decisions, DataStream<RuleChange> rules,
                                                        DataStream<StatusEvent> statuses, ProcessorSettings settings,
                                                        boolean awaitPolicy, KeyArrival arrival) {
        BroadcastStream<RuleChange> broadcastRules = rules.broadcast(JobDescriptors.RULES, JobDescriptors.POLICY_LOADED);

        SingleOutputStreamOperator<PolicyViolation> routed = decisions
                .keyBy(EncodedDecision::node)
                .connect(broadcastRules)
                .process(new DecisionRouter(settings, awaitPolicy, arrival), ViolationSerializer.TYPE)
                .uid(ROUTER_UID).name("judge decisions per rule (allowlist, containment, bypass, bursts, churn, seq gaps)");

        SingleOutputStreamOperator<PolicyViolation> downgrades = rules
                .flatMap(new ModeDowngrades(), ViolationSerializer.TYPE)
                .uid(DOWNGRADE_UID).name("mode downgrades");

        DataStream<PolicyViolation> violations = routed.union(downgrades);
        if (statuses == null) {
            return violations;
        }
        SingleOutputStreamOperator<PolicyViolation> statusFindings = statuses
                .keyBy(StatusEvent::getNode)
                .connect(broadcastRules)
                .process(new StatusDetector(settings, awaitPolicy), ViolationSerializer.TYPE)
                .uid(STATUS_UID).name("collector loss and degraded enforcement from statuses");
        return violations.union(statusFindings);
    }
}
