package dev.cgaudit.policy;

import java.util.Objects;
import java.util.function.Supplier;

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
 *       explanation. Worded only when asked for: the processor matches every decision against
 *       its candidate rules and needs the words only for the few that violate one.</li>
 * </ul>
 */
public final class Match {

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

    private final PolicyRule rule;
    private final boolean concerns;
    private final boolean violated;
    private final When when;
    private Supplier<String> words;
    private String explanation;

    private Match(PolicyRule rule, boolean concerns, boolean violated, When when, Supplier<String> words) {
        this.rule = Objects.requireNonNull(rule, "rule");
        this.when = Objects.requireNonNull(when, "when");
        this.words = Objects.requireNonNull(words, "explanation");
        if (violated && !concerns) {
            throw new IllegalArgumentException("a rule cannot be violated by a decision it does not concern");
        }
        this.concerns = concerns;
        this.violated = violated;
    }

    static Match notConcerned(PolicyRule rule, When when, Supplier<String> explanation) {
        return new Match(rule, false, false, when, explanation);
    }

    static Match concerned(PolicyRule rule, boolean violated, When when, Supplier<String> explanation) {
        return new Match(rule, true, violated, when, explanation);
    }

    public PolicyRule rule() {
        return rule;
    }

    public boolean concerns() {
        return concerns;
    }

    public boolean violated() {
        return violated;
    }

    public When when() {
        return when;
    }

    /** Which clauses matched or failed, in words (worded on the first call). */
    public String explanation() {
        if (explanation == null) {
            explanation = Objects.requireNonNull(words.get(), "explanation");
            words = null;
        }
        return explanation;
    }

    @Override
    public String toString() {
        return "Match[rule=" + rule.id() + ", concerns=" + concerns + ", violated=" + violated + ", when=" + when
                + ", explanation=" + explanation() + "]";
    }
}
