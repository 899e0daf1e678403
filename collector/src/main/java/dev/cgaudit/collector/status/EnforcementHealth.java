package dev.cgaudit.collector.status;

import dev.cgaudit.schema.Capability;
import dev.cgaudit.schema.PolicyCommandResult;
import dev.cgaudit.schema.RuleEnforcementStatus;
import java.util.List;

/**
 * What the node's enforcer reports in StatusEvent: the backend in use, what each backend and rule
 * kind can do here, per enforce rule whether it is enforced and why not, and the policy commands
 * handled since the previous status.
 */
public interface EnforcementHealth {

    /** StatusEvent.enforcementBackend: bpf-lsm-cgroup-attach, bpf-lsm-file, dac, or null for none. */
    String backend();

    /** Backend probes and per-kind capabilities, appended to StatusEvent.capabilities. */
    List<Capability> capabilities();

    List<RuleEnforcementStatus> ruleEnforcement();

    /** The policy commands handled since the previous call. */
    List<PolicyCommandResult> drainPolicyCommands();

    /** What an operator should know now (policy not read yet, a restore that failed); null when nothing. */
    String note();

    /** A collector that does not enforce. */
    EnforcementHealth NONE = new EnforcementHealth() {
        @Override
        public String backend() {
            return null;
        }

        @Override
        public List<Capability> capabilities() {
            return List.of();
        }

        @Override
        public List<RuleEnforcementStatus> ruleEnforcement() {
            return List.of();
        }

        @Override
        public List<PolicyCommandResult> drainPolicyCommands() {
            return List.of();
        }

        @Override
        public String note() {
            return null;
        }
    };
}
