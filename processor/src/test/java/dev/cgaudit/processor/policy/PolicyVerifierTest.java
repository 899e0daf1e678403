package dev.cgaudit.processor.policy;

import static dev.cgaudit.processor.Moves.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.policy.command.CommandSigner;
import dev.cgaudit.policy.command.KeyFiles;
import dev.cgaudit.policy.command.PolicyCommands;
import dev.cgaudit.policy.command.SigningKey;
import dev.cgaudit.policy.command.TrustStore;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.PolicyRecord;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.Rules;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.StatusEvent;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class PolicyVerifierTest {

    static final SigningKey ALICE = SigningKey.of(KeyFiles.generate());
    static final SigningKey MALLORY = SigningKey.of(KeyFiles.generate());
    static final TrustedKeys TRUST = TrustedKeys.of(List.of(new TrustStore.TrustedKey(ALICE.keyId(), "alice", ALICE.publicKey())));
    static final PolicyCommands AT_T0 = new PolicyCommands("alice", Clock.fixed(T0, ZoneOffset.UTC));

    int offset;

    PolicyRecord record(PolicyCommand command) {
        int at = offset++;
        return new PolicyRecord(command.getRuleId(), command, null, 0, at, "cgaudit.policy-0@" + at, T0.toEpochMilli());
    }

    @Test
    void signed_commands_become_rule_changes_forged_ones_only_a_rejection_and_the_log_end_a_marker() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, PolicyRecord, RuleChange> h = ProcessFunctionTestHarnesses
                .forKeyedProcessFunction(new PolicyVerifier(TRUST, "processor", Map.of(0, 3L)), r -> PolicyVerifier.KEY, Types.STRING);
        CommandSigner alice = new CommandSigner(ALICE);
        var enforced = Rules.managers(Mode.ENFORCE);

        h.processElement(record(alice.sign(AT_T0.upsert(enforced, 1, "initial"))), 0);
        h.processElement(record(new CommandSigner(MALLORY).sign(AT_T0.setMode(enforced, Mode.AUDIT, 2, "let me in"))), 0);
        assertThat(h.extractOutputValues()).as("not loaded before the third record").hasSize(1);
        h.processElement(record(alice.sign(AT_T0.setMode(enforced, Mode.AUDIT, 2, "maintenance"))), 0);

        List<RuleChange> out = h.extractOutputValues();
        assertThat(out).hasSize(3);
        assertThat(out.get(0).version()).isEqualTo(1);
        assertThat(out.get(1).version()).isEqualTo(2);
        assertThat(out.get(1).previousMode()).isEqualTo(Mode.ENFORCE);
        assertThat(out.get(1).downgrade()).isTrue();
        assertThat(out.get(2).isPolicyLoadedMarker()).isTrue();

        assertThat(h.getSideOutput(JobDescriptors.POLICY_RESULTS)).extracting(StreamRecord::getValue)
                .extracting(StatusEvent::getPolicyCommands)
                .extracting(results -> results.get(0).getAccepted() + " " + results.get(0).getReason())
                .containsExactly("true null", "false UNKNOWN_KEY: key " + MALLORY.keyId() + " is not in the trust store",
                        "true null");
        h.close();
    }
}
