package dev.cgaudit.policy.command;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The policy as it stands after some prefix of the command log: the latest accepted version of
 * every rule ever created, deleted ones included (their version still counts, so an old UPSERT
 * cannot be replayed after a DELETE). Immutable; {@link #with} returns the next state.
 */
public final class PolicyState {

    private static final PolicyState EMPTY = new PolicyState(Map.of());

    private final Map<String, RuleVersion> latest;

    private PolicyState(Map<String, RuleVersion> latest) {
        this.latest = Map.copyOf(latest);
    }

    public static PolicyState empty() {
        return EMPTY;
    }

    public PolicyState with(RuleVersion version) {
        Map<String, RuleVersion> next = new HashMap<>(latest);
        next.put(version.ruleId(), version);
        return new PolicyState(next);
    }

    /** The rule's current version, if it exists and is not deleted. */
    public Optional<RuleVersion> rule(String ruleId) {
        return Optional.ofNullable(latest.get(ruleId)).filter(v -> !v.deleted());
    }

    /** The highest version accepted for the rule (deleted or not); 0 when there never was one. */
    public long currentVersion(String ruleId) {
        RuleVersion v = latest.get(ruleId);
        return v == null ? 0 : v.version();
    }

    /** The rules in force, by id. */
    public List<RuleVersion> rules() {
        return latest.values().stream()
                .filter(v -> !v.deleted())
                .sorted(Comparator.comparing(RuleVersion::ruleId))
                .toList();
    }
}
