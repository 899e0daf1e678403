package dev.cgaudit.policy.command;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.RuleId;
import dev.cgaudit.policy.RuleMapper;
import dev.cgaudit.schema.CommandType;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.PolicyCommand;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * Makes the three kinds of unsigned {@link PolicyCommand}s on behalf of one author; sign them with
 * {@link CommandSigner}. Each command gets a random UUID and the clock's time in whole
 * microseconds (what the wire keeps), so a command signs and verifies the same after a round trip.
 */
public final class PolicyCommands {

    private final String author;
    private final Clock clock;

    public PolicyCommands(String author, Clock clock) {
        if (author == null || author.isBlank()) {
            throw new IllegalArgumentException("a policy command needs an author");
        }
        this.author = author;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Creates or replaces {@code rule}; {@code version} must be above the rule's current version. */
    public PolicyCommand upsert(PolicyRule rule, long version, String reason) {
        return base(CommandType.UPSERT_RULE, rule.id(), version, reason)
                .setRule(RuleMapper.toAvro(rule))
                .build();
    }

    public PolicyCommand delete(String ruleId, long version, String reason) {
        return base(CommandType.DELETE_RULE, ruleId, version, reason).build();
    }

    /**
     * Switches only the mode of {@code current} (the rule as it stands). The command also carries
     * the whole rule with its new mode: {@code cgaudit.policy} is compacted by rule id, and once the
     * UPSERT before it is compacted away, a bare SET_MODE would leave readers without the rule.
     * The verifier accepts the carried rule only if it differs from the current one in the mode alone.
     * The reason is required (it is what an audit of the switch reads).
     */
    public PolicyCommand setMode(PolicyRule current, Mode mode, long version, String reason) {
        return PolicyCommand.newBuilder(setMode(current.id(), mode, version, reason))
                .setRule(RuleMapper.toAvro(current.withMode(mode)))
                .build();
    }

    /** A SET_MODE that names the rule only; valid while the rule's earlier commands are still in the log. */
    public PolicyCommand setMode(String ruleId, Mode mode, long version, String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("SET_MODE needs a reason");
        }
        return base(CommandType.SET_MODE, ruleId, version, reason)
                .setMode(Objects.requireNonNull(mode, "mode"))
                .build();
    }

    private PolicyCommand.Builder base(CommandType type, String ruleId, long version, String reason) {
        RuleId.problem(ruleId).ifPresent(p -> {
            throw new IllegalArgumentException("rule id: " + p);
        });
        if (version < 1) {
            throw new IllegalArgumentException("rule versions start at 1, found " + version);
        }
        return PolicyCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setType(type)
                .setRuleId(ruleId)
                .setRuleVersion(version)
                .setIssuedAt(clock.instant().truncatedTo(ChronoUnit.MICROS))
                .setAuthor(author)
                .setReason(reason)
                .setRule(null)
                .setMode(null)
                .setKeyId(null)
                .setSignature(null);
    }
}
