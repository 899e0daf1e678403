package dev.cgaudit.policy;

import dev.cgaudit.policy.cel.Condition;
import dev.cgaudit.schema.Direction;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.RuleKind;
import dev.cgaudit.schema.Severity;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One policy rule, validated: the typed form of a rule in a MigrationPolicy file and of the
 * {@code Rule} record carried by UPSERT_RULE commands ({@link RuleMapper}). Immutable; the
 * constructor enforces the cross-field invariants so an invalid rule cannot exist.
 *
 * <p>The enums are the schema's own ({@code RuleKind}, {@code Direction}, {@code Mode},
 * {@code Severity}): the YAML spells them in lower-case kebab form, the wire in upper snake case.
 */
public record PolicyRule(
        String id,
        Optional<String> description,
        Subtree subtree,
        RuleKind kind,
        Direction direction,
        Mode mode,
        Severity severity,
        List<AllowEntry> allow,
        Optional<Condition> when,
        Optional<Threshold> threshold) {

    public static final Direction DEFAULT_DIRECTION = Direction.ANY;
    public static final Mode DEFAULT_MODE = Mode.AUDIT;
    public static final Severity DEFAULT_SEVERITY = Severity.MEDIUM;

    public PolicyRule {
        RuleId.require(id);
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(subtree, "subtree");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(severity, "severity");
        allow = List.copyOf(allow);
        Objects.requireNonNull(when, "when");
        Objects.requireNonNull(threshold, "threshold");
        if (kind == RuleKind.ALLOWLIST && allow.isEmpty()) {
            throw new IllegalArgumentException("rule " + id + ": an allowlist rule needs at least one allow entry");
        }
        if (kind != RuleKind.ALLOWLIST && !allow.isEmpty()) {
            throw new IllegalArgumentException("rule " + id + ": allow entries are for allowlist rules only, not " + kind);
        }
        if (kind != RuleKind.ALLOWLIST && direction != Direction.ANY) {
            throw new IllegalArgumentException("rule " + id + ": direction is for allowlist rules only, not " + kind);
        }
        if (isCounting(kind) && threshold.isEmpty()) {
            throw new IllegalArgumentException("rule " + id + ": a " + kind + " rule needs a threshold");
        }
        if (!isCounting(kind) && threshold.isPresent()) {
            throw new IllegalArgumentException("rule " + id + ": a threshold is for denial-burst and churn rules only, not " + kind);
        }
    }

    /** Whether rules of this kind count decisions in a window (denial-burst, churn) rather than judge each one. */
    public static boolean isCounting(RuleKind kind) {
        return kind == RuleKind.DENIAL_BURST || kind == RuleKind.CHURN;
    }

    public PolicyRule withMode(Mode newMode) {
        return new PolicyRule(id, description, subtree, kind, direction, newMode, severity, allow, when, threshold);
    }

    public static Builder builder(String id, RuleKind kind, String subtree) {
        return new Builder(id, kind, Subtree.of(subtree));
    }

    /** Builds rules in code (tests, tools) with the same defaults as the policy file. */
    public static final class Builder {
        private final String id;
        private final RuleKind kind;
        private final Subtree subtree;
        private String description;
        private Direction direction = DEFAULT_DIRECTION;
        private Mode mode = DEFAULT_MODE;
        private Severity severity = DEFAULT_SEVERITY;
        private List<AllowEntry> allow = List.of();
        private Condition when;
        private Threshold threshold;

        private Builder(String id, RuleKind kind, Subtree subtree) {
            this.id = id;
            this.kind = kind;
            this.subtree = subtree;
        }

        public Builder description(String text) {
            this.description = text;
            return this;
        }

        public Builder direction(Direction value) {
            this.direction = value;
            return this;
        }

        public Builder mode(Mode value) {
            this.mode = value;
            return this;
        }

        public Builder severity(Severity value) {
            this.severity = value;
            return this;
        }

        public Builder allow(AllowEntry... entries) {
            this.allow = List.of(entries);
            return this;
        }

        public Builder allow(List<AllowEntry> entries) {
            this.allow = entries;
            return this;
        }

        public Builder when(String celExpression) {
            this.when = Condition.of(celExpression);
            return this;
        }

        public Builder when(Condition condition) {
            this.when = condition;
            return this;
        }

        public Builder threshold(int count, java.time.Duration within) {
            this.threshold = new Threshold(count, within);
            return this;
        }

        public Builder threshold(Threshold value) {
            this.threshold = value;
            return this;
        }

        public PolicyRule build() {
            return new PolicyRule(id, Optional.ofNullable(description), subtree, kind, direction, mode, severity,
                    allow, Optional.ofNullable(when), Optional.ofNullable(threshold));
        }
    }
}
