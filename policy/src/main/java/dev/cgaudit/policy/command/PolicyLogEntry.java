package dev.cgaudit.policy.command;

import dev.cgaudit.schema.PolicyCommand;

/**
 * One record of the {@code cgaudit.policy} log as read, before verification: a decoded command,
 * or bytes that could not be decoded. {@code position} names the record for humans
 * ({@code cgaudit.policy-0@17}); {@code key} is the Kafka key (the rule id) or null.
 */
public sealed interface PolicyLogEntry {

    String position();

    String key();

    record Decoded(String position, String key, PolicyCommand command) implements PolicyLogEntry {
    }

    record Undecodable(String position, String key, String problem) implements PolicyLogEntry {
    }

    /** A command as if read from the log with the right key, for folding commands that never went through Kafka. */
    static PolicyLogEntry of(int index, PolicyCommand command) {
        return new Decoded("#" + index, command.getRuleId(), command);
    }
}
