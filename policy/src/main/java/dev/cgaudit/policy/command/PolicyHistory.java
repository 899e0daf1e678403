package dev.cgaudit.policy.command;

import dev.cgaudit.schema.PolicyCommand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The whole policy history folded from the {@code cgaudit.policy} log in order: every accepted rule
 * version, every rejected record with its reason, and the current state. It answers what was in
 * force at any event time, which the processor and replay need.
 *
 * <p>A version is in force from its {@code issuedAt}. Operators' clocks are not trusted to be in
 * order, so at time {@code t} the version in force is the <em>highest</em> accepted version issued
 * at or before {@code t}: a later version never gives way to an earlier one.
 */
public final class PolicyHistory {

    private final List<RuleVersion> versions;
    private final List<Rejection> rejections;
    private final PolicyState current;
    private final Map<String, List<RuleVersion>> byRule;

    private PolicyHistory(List<RuleVersion> versions, List<Rejection> rejections, PolicyState current) {
        this.versions = List.copyOf(versions);
        this.rejections = List.copyOf(rejections);
        this.current = current;
        Map<String, List<RuleVersion>> grouped = new LinkedHashMap<>();
        for (RuleVersion v : versions) {
            grouped.computeIfAbsent(v.ruleId(), id -> new ArrayList<>()).add(v);
        }
        grouped.replaceAll((id, list) -> List.copyOf(list));
        this.byRule = Map.copyOf(grouped);
    }

    /** Folds log records in log order: each is verified against the state the records before it built. */
    public static PolicyHistory replay(List<? extends PolicyLogEntry> log, CommandVerifier verifier) {
        List<RuleVersion> versions = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        PolicyState state = PolicyState.empty();
        for (PolicyLogEntry entry : log) {
            if (entry instanceof PolicyLogEntry.Undecodable bad) {
                rejections.add(new Rejection(bad.position(), bad.key(), Optional.empty(), RejectionReason.UNDECODABLE, bad.problem()));
                continue;
            }
            PolicyLogEntry.Decoded decoded = (PolicyLogEntry.Decoded) entry;
            PolicyCommand command = decoded.command();
            if (!command.getRuleId().equals(decoded.key())) {
                rejections.add(new Rejection(decoded.position(), decoded.key(), Optional.of(command), RejectionReason.KEY_MISMATCH,
                        "record key '" + decoded.key() + "' is not the command's ruleId '" + command.getRuleId() + "'"));
                continue;
            }
            Verdict verdict = verifier.verify(command, state);
            if (verdict instanceof Verdict.Accepted accepted) {
                versions.add(accepted.next());
                state = state.with(accepted.next());
            } else {
                Verdict.Rejected rejected = (Verdict.Rejected) verdict;
                rejections.add(new Rejection(decoded.position(), decoded.key(), Optional.of(command), rejected.reason(), rejected.detail()));
            }
        }
        return new PolicyHistory(versions, rejections, state);
    }

    /** Folds commands that never went through Kafka (tests, tools), as if each were keyed by its rule id. */
    public static PolicyHistory replayCommands(List<PolicyCommand> commands, CommandVerifier verifier) {
        return replay(IntStream.range(0, commands.size()).mapToObj(i -> PolicyLogEntry.of(i, commands.get(i))).toList(), verifier);
    }

    public PolicyState current() {
        return current;
    }

    /** Every accepted version, in log order. */
    public List<RuleVersion> versions() {
        return versions;
    }

    /** Every record that was not applied, in log order. */
    public List<Rejection> rejections() {
        return rejections;
    }

    /** The version of {@code ruleId} in force at {@code time}; empty before it existed or while deleted. */
    public Optional<RuleVersion> ruleAt(String ruleId, Instant time) {
        return byRule.getOrDefault(ruleId, List.of()).stream()
                .filter(v -> !v.issuedAt().isAfter(time))
                .max(Comparator.comparingLong(RuleVersion::version))
                .filter(v -> !v.deleted());
    }

    /** Every rule version in force at {@code time}, by rule id. */
    public List<RuleVersion> rulesInForceAt(Instant time) {
        return byRule.keySet().stream().sorted()
                .map(id -> ruleAt(id, time))
                .flatMap(Optional::stream)
                .toList();
    }
}
