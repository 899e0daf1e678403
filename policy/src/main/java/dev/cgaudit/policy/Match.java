package dev.cgaudit.policy;

import java.util.Objects;

/**
 * What {@link RuleMatcher} decided for one rule and one decision.
 *
 * <ul>
 *   <li>{@code concerns}: the rule applies to the decision (its subtree is touched as the kind
 *       requires, the paths needed are resolved, and {@code when} is absent or true).</li>
 *   <li>{@code violated}: for allowlist and containment, the decision breaks the rule (one violation
 *       per decision). For denial-burst and churn, the decision <em>counts</em> towards the
 *       threshold; the windowed counting is the processor's job.</li>
 *   <li>{@code when}: what the rule's CEL condition evaluated to.</li>
 *   <li>{@code explanation}: in words, which clauses matched or failed; it becomes the violation's
 *       explanation.</li>
 * </ul>
 */
public record Match(PolicyRule rule, boolean concerns, boolean violated, When when, String explanation) {

    /** The outcome of the rule's {@code when:} condition for this decision. */
    public enum When {
        /** The rule has no condition. */
        ABSENT,
        /** The condition was not evaluated because the subtree test already ruled the decision out. */
        NOT_EVALUATED,
        TRUE,
        FALSE,
        /** Evaluation failed at run time (see the explanation); the rule is treated as not concerned. */
        FAILED
    }

    public Match {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(when, "when");
        Objects.requireNonNull(explanation, "explanation");
        if (violated && !concerns) {
            throw new IllegalArgumentException("a rule cannot be violated by a decision it does not concern");
        }
    }

    static Match notConcerned(PolicyRule rule, When when, String explanation) {
        return new Match(rule, false, false, when, explanation);
    }

    static Match concerned(PolicyRule rule, boolean violated, When when, String explanation) {
        return new Match(rule, true, violated, when, explanation);
    }
}
