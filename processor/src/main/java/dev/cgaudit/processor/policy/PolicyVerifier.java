package dev.cgaudit.processor.policy;

import dev.cgaudit.policy.command.CommandVerifier;
import dev.cgaudit.policy.command.PolicyHistory;
import dev.cgaudit.policy.command.PolicyLogEntry;
import dev.cgaudit.policy.command.Rejection;
import dev.cgaudit.policy.command.RuleVersion;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.PolicyRecord;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.schema.Component;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.PolicyCommandResult;
import dev.cgaudit.schema.StatusEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies the records of {@code cgaudit.policy} before anything is broadcast. A new record is folded
 * onto the rule's accepted commands by the policy module's own {@link PolicyHistory#replay} (key
 * check, then {@link CommandVerifier} against the state so far): the same code and order as
 * {@code cgaudit policy list} and {@code cgaudit replay}, so all three agree on what is in force.
 * Every verdict goes to {@link JobDescriptors#POLICY_RESULTS} for {@code cgaudit.status}.
 *
 * <p>Runs with parallelism 1 on a single key: the log is small, and one place that knows how far
 * it has read can say when the log as it stood at submission is loaded ({@link RuleChange#policyLoaded()}).
 */
public final class PolicyVerifier extends KeyedProcessFunction<String, PolicyRecord, RuleChange> {

    /** The one key: every policy record goes through the same verifier instance, in log order. */
    public static final String KEY = "policy";

    private static final Logger LOG = LoggerFactory.getLogger(PolicyVerifier.class);

    private final TrustedKeys trustedKeys;
    private final String instanceName;
    /** End offset of each policy partition when the job was submitted; empty if the log was empty. */
    private final HashMap<Integer, Long> endOffsetsAtSubmission;

    private transient CommandVerifier verifier;
    private transient MapState<String, List<PolicyCommand>> accepted;
    private transient MapState<Integer, Long> readUpTo;
    private transient ValueState<Boolean> loadedSent;
    private transient Counter acceptedCount;
    private transient Counter rejectedCount;

    public PolicyVerifier(TrustedKeys trustedKeys, String instanceName, Map<Integer, Long> endOffsetsAtSubmission) {
        this.trustedKeys = trustedKeys;
        this.instanceName = instanceName;
        this.endOffsetsAtSubmission = new HashMap<>(endOffsetsAtSubmission);
    }

    @Override
    public void open(OpenContext openContext) {
        verifier = new CommandVerifier(trustedKeys.toTrustStore());
        accepted = getRuntimeContext().getMapState(JobDescriptors.POLICY_ACCEPTED);
        readUpTo = getRuntimeContext().getMapState(JobDescriptors.POLICY_READ_UP_TO);
        loadedSent = getRuntimeContext().getState(JobDescriptors.POLICY_LOADED_SENT);
        acceptedCount = getRuntimeContext().getMetricGroup().counter("policyCommandsAccepted");
        rejectedCount = getRuntimeContext().getMetricGroup().counter("policyCommandsRejected");
    }

    @Override
    public void processElement(PolicyRecord record, Context ctx, Collector<RuleChange> out) throws Exception {
        verify(record, ctx, out);
        Long seen = readUpTo.get(record.partition());
        if (seen == null || seen < record.offset()) {
            readUpTo.put(record.partition(), record.offset());
        }
        if (loadedSent.value() == null && caughtUp()) {
            loadedSent.update(true);
            LOG.info("policy log loaded up to the end offsets at submission {}", endOffsetsAtSubmission);
            out.collect(RuleChange.policyLoaded());
        }
    }

    private void verify(PolicyRecord record, Context ctx, Collector<RuleChange> out) throws Exception {
        String ruleId = record.command() == null ? record.key() : record.command().getRuleId();
        List<PolicyCommand> before = ruleId == null ? null : accepted.get(ruleId);
        List<PolicyLogEntry> log = new ArrayList<>();
        if (before != null) {
            for (int i = 0; i < before.size(); i++) {
                log.add(new PolicyLogEntry.Decoded("#" + i, before.get(i).getRuleId(), before.get(i)));
            }
        }
        log.add(record.command() == null
                ? new PolicyLogEntry.Undecodable(record.position(), record.key(), record.problem())
                : new PolicyLogEntry.Decoded(record.position(), record.key(), record.command()));
        PolicyHistory history = PolicyHistory.replay(log, verifier);
        int acceptedBefore = before == null ? 0 : before.size();
        if (history.versions().size() > acceptedBefore) {
            RuleVersion next = history.versions().get(history.versions().size() - 1);
            RuleVersion previous = acceptedBefore == 0 ? null : history.versions().get(history.versions().size() - 2);
            out.collect(RuleChanges.of(next, java.util.Optional.ofNullable(previous)));
            List<PolicyCommand> now = before == null ? new ArrayList<>() : new ArrayList<>(before);
            now.add(record.command());
            accepted.put(ruleId, now);
            acceptedCount.inc();
            LOG.info("policy command {} accepted: {} {} v{}", next.commandId(), next.cause(), next.ruleId(), next.version());
            ctx.output(JobDescriptors.POLICY_RESULTS, result(record, true, null));
        } else {
            Rejection rejection = history.rejections().get(history.rejections().size() - 1);
            rejectedCount.inc();
            LOG.warn("policy record {} rejected: {}", record.position(), rejection);
            ctx.output(JobDescriptors.POLICY_RESULTS, result(record, false, rejection.reason() + ": " + rejection.detail()));
        }
    }

    private boolean caughtUp() throws Exception {
        for (Map.Entry<Integer, Long> end : endOffsetsAtSubmission.entrySet()) {
            Long seen = readUpTo.get(end.getKey());
            if (end.getValue() > 0 && (seen == null || seen + 1 < end.getValue())) {
                return false;
            }
        }
        return true;
    }

    private StatusEvent result(PolicyRecord record, boolean ok, String reason) {
        PolicyCommand c = record.command();
        PolicyCommandResult result = PolicyCommandResult.newBuilder()
                .setCommandId(c == null ? "undecodable@" + record.position() : c.getCommandId())
                .setRuleId(c == null ? record.key() : c.getRuleId())
                .setRuleVersion(c == null ? 0 : c.getRuleVersion())
                .setAccepted(ok)
                .setReason(reason)
                .build();
        Instant at = c == null ? Instant.ofEpochMilli(record.kafkaTimestampMillis()) : c.getIssuedAt();
        return StatusEvent.newBuilder()
                .setComponent(Component.PROCESSOR)
                .setNode(instanceName)
                .setTimestamp(at)
                .setPolicyCommands(List.of(result))
                .setMessage("policy record " + record.position() + (ok ? " accepted" : " rejected: " + reason))
                .build();
    }
}
