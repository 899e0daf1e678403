package dev.cgaudit.policy;

import java.util.Optional;
import java.util.regex.Pattern;

/** The syntax of a rule id: {@code [a-z0-9-]+}, also the Kafka key of the rule's commands. */
public final class RuleId {

    public static final int MAX_LENGTH = 128;
    private static final Pattern SYNTAX = Pattern.compile("[a-z0-9-]+");

    private RuleId() {
    }

    /** Why {@code id} is not a valid rule id, saying what is expected; empty when valid. */
    public static Optional<String> problem(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.of("expected a rule id matching [a-z0-9-]+, found nothing");
        }
        if (!SYNTAX.matcher(id).matches()) {
            return Optional.of("expected a rule id matching [a-z0-9-]+ (lower-case letters, digits, '-'), found '" + id + "'");
        }
        if (id.length() > MAX_LENGTH) {
            return Optional.of("expected at most " + MAX_LENGTH + " characters, found " + id.length());
        }
        return Optional.empty();
    }

    static String require(String id) {
        problem(id).ifPresent(p -> {
            throw new IllegalArgumentException("invalid rule id: " + p);
        });
        return id;
    }
}
