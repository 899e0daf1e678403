package dev.cgaudit.sink.delivery;

import java.util.Objects;

/**
 * One finding on its way out: the violation id receivers dedupe by, and the finding as one line
 * of JSON (serialised once, whatever the number of targets).
 */
public record Finding(String violationId, String json) {

    public Finding {
        Objects.requireNonNull(violationId, "violationId");
        Objects.requireNonNull(json, "json");
        if (json.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a finding is one line of JSON; got a line break in " + violationId);
        }
    }
}
