package dev.cgaudit.policy.command;

import dev.cgaudit.schema.PolicyCommand;
import java.util.Optional;

/** A log record that was not applied: where it is, the command if it could be decoded, and why. */
public record Rejection(String position, String key, Optional<PolicyCommand> command, RejectionReason reason, String detail) {

    @Override
    public String toString() {
        return position + " " + reason + ": " + detail;
    }
}
