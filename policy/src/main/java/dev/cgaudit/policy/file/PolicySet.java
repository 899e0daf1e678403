package dev.cgaudit.policy.file;

import dev.cgaudit.policy.PolicyRule;
import java.util.List;
import java.util.Map;

/**
 * The rules read from one or more policy files, and every error found in them. The rules are
 * only to be used when {@link #isValid()}: a file with errors may have yielded some rules and not
 * others.
 *
 * @param origins where each rule is defined, by rule id
 */
public record PolicySet(List<PolicyRule> rules, List<ValidationError> errors, Map<String, RuleOrigin> origins) {

    public PolicySet {
        rules = List.copyOf(rules);
        errors = List.copyOf(errors);
        origins = Map.copyOf(origins);
    }

    public boolean isValid() {
        return errors.isEmpty();
    }
}
