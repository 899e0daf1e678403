package dev.cgaudit.processor.policy;

import static dev.cgaudit.processor.Moves.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.policy.command.CommandSigner;
import dev.cgaudit.policy.command.CommandVerifier;
import dev.cgaudit.policy.command.KeyFiles;
import dev.cgaudit.policy.command.PolicyCommands;
import dev.cgaudit.policy.command.PolicyHistory;
import dev.cgaudit.policy.command.RuleVersion;
import dev.cgaudit.policy.command.SigningKey;
import dev.cgaudit.policy.command.TrustStore;
import dev.cgaudit.processor.EventTime;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.Rules;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.PolicyCommand;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The processor's compiled timeline answers "what was in force at t" exactly as the policy module does. */
class RuleTimelineTest {

    static PolicyCommands at(Instant t) {
        return new PolicyCommands("alice", Clock.fixed(t, ZoneOffset.UTC));
    }

    @Test
    void in_force_at_every_instant_as_policy_history_says_even_with_clocks_out_of_order() {
        SigningKey key = SigningKey.of(KeyFiles.generate());
        CommandSigner signer = new CommandSigner(key);
        var rule = Rules.managers(Mode.AUDIT);
        List<PolicyCommand> log = List.of(
                signer.sign(at(T0).upsert(rule, 1, "initial")),
                signer.sign(at(T0.plusSeconds(100)).setMode(rule, Mode.ENFORCE, 2, "go")),
                // issued with a clock behind the previous command's: v3 is in force from T0+50 s, and v2 never again
                signer.sign(at(T0.plusSeconds(50)).setMode(rule.withMode(Mode.ENFORCE), Mode.AUDIT, 3, "back")),
                signer.sign(at(T0.plusSeconds(200)).delete(rule.id(), 4, "retired")),
                signer.sign(at(T0.plusSeconds(300)).upsert(rule, 5, "again")));
        PolicyHistory history = PolicyHistory.replayCommands(log,
                new CommandVerifier(TrustStore.of(List.of(new TrustStore.TrustedKey(key.keyId(), "alice", key.publicKey())))));
        List<RuleChange> changes = RuleChanges.of(history);
        assertThat(changes).hasSize(5);
        assertThat(changes.get(2).downgrade()).isTrue();

        RuleTimeline timeline = RuleTimeline.compile(rule.id(), changes);
        for (int s = -10; s <= 400; s += 5) {
            Instant t = T0.plusSeconds(s);
            Optional<Long> expected = history.ruleAt(rule.id(), t).map(RuleVersion::version);
            RuleTimeline.Version actual = timeline.at(EventTime.micros(t));
            assertThat(Optional.ofNullable(actual).map(RuleTimeline.Version::version)).as("at T0%+ds", s).isEqualTo(expected);
        }
    }
}
