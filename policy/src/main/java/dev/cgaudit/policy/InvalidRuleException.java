package dev.cgaudit.policy;

import java.util.List;

/** A {@code Rule} from the wire that does not make a valid {@link PolicyRule}; lists every problem found. */
public final class InvalidRuleException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public InvalidRuleException(String ruleId, List<String> problems) {
        super("invalid rule '" + ruleId + "': " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
