package dev.cgaudit.policy.command;

import dev.cgaudit.schema.PolicyCommand;

/** What {@link CommandVerifier} decided about one command. */
public sealed interface Verdict {

    PolicyCommand command();

    /** The command is genuine and applies: {@code next} is the rule version it creates. */
    record Accepted(PolicyCommand command, RuleVersion next) implements Verdict {
    }

    /** The command is not applied, and why. */
    record Rejected(PolicyCommand command, RejectionReason reason, String detail) implements Verdict {
        @Override
        public String toString() {
            return reason + ": " + detail;
        }
    }
}
