package dev.cgaudit.processor;

import dev.cgaudit.schema.Topic;
import java.io.Serializable;

/** The topic names the job reads and writes; the contract's names by default (tests use their own). */
public record Topics(String decisions, String policy, String status, String violations) implements Serializable {

    public static final Topics DEFAULT = new Topics(Topic.DECISIONS.topicName(), Topic.POLICY.topicName(),
            Topic.STATUS.topicName(), Topic.VIOLATIONS.topicName());

    /** The contract's names behind a prefix, e.g. {@code t1.cgaudit.decisions}. */
    public static Topics prefixed(String prefix) {
        return new Topics(prefix + DEFAULT.decisions, prefix + DEFAULT.policy, prefix + DEFAULT.status,
                prefix + DEFAULT.violations);
    }
}
