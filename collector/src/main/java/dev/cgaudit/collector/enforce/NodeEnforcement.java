package dev.cgaudit.collector.enforce;

import dev.cgaudit.collector.Cgroup2Mount;
import dev.cgaudit.collector.bpf.KernelCapability;
import dev.cgaudit.collector.publish.DecisionSink;
import dev.cgaudit.collector.status.EnforcementHealth;
import dev.cgaudit.policy.command.CommandVerifier;
import dev.cgaudit.policy.command.InvalidKeyFileException;
import dev.cgaudit.policy.command.TrustStore;
import dev.cgaudit.schema.Capability;
import dev.cgaudit.schema.PolicyCommandResult;
import dev.cgaudit.schema.RuleEnforcementStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enforcement of one node, wired: the {@link Enforcer} with its backend, fed by a
 * {@link PolicyFollower} on {@code cgaudit.policy}; the sink decorator that attributes denials; and
 * the health the StatusEvent reports. Closing it stops following the policy and restores every
 * file the enforcer changed.
 */
public final class NodeEnforcement implements EnforcementHealth, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeEnforcement.class);

    private final Enforcer enforcer;
    private final PolicyFollower follower;
    private final String trustProblem;

    private NodeEnforcement(Enforcer enforcer, PolicyFollower follower, String trustProblem) {
        this.enforcer = enforcer;
        this.follower = follower;
        this.trustProblem = trustProblem;
    }

    /**
     * Probes the backends, opens the best one (with the state a previous run left), and starts
     * following the policy. Without a usable trust store no command can be verified: nothing is
     * applied or restored, and the status says why.
     *
     * @param stateDir the collector's state folder (the spool), where the enforcer's state file lives
     */
    public static NodeEnforcement start(EnforcementConfig config, String bootstrap, String node, Path stateDir) {
        Optional<Path> mount = Cgroup2Mount.find();
        EnforcerStateFile stateFile = new EnforcerStateFile(stateDir);
        Enforcer enforcer = Enforcer.start(candidates(mount, stateFile), config.rescanInterval());
        if (!DacBackend.NAME.equals(enforcer.backendName()) && mount.isPresent()) {
            restoreLeftovers(mount.get(), stateFile);
        }
        CommandVerifier verifier;
        try {
            TrustStore trust = TrustStore.load(config.trustDir());
            if (trust.size() == 0) {
                LOG.warn("trust store {} holds no *.pub key: every policy command will be rejected (UNKNOWN_KEY)", config.trustDir());
            }
            verifier = new CommandVerifier(trust);
        } catch (IOException | InvalidKeyFileException e) {
            String problem = "policy commands cannot be verified, so none is applied: trust store " + config.trustDir()
                    + ": " + e.getMessage();
            LOG.error("enforcement: {}", problem);
            return new NodeEnforcement(enforcer, null, problem);
        }
        PolicyFollower follower = new PolicyFollower(bootstrap, config.policyTopic(), "cgaudit-collector-policy-" + node,
                verifier, enforcer::enforce).start();
        return new NodeEnforcement(enforcer, follower, null);
    }

    /**
     * The backends in order of precision. The bpf-lsm ones are probed first and refuse where the
     * kernel does (hook absent, lsm programs refused); dac is the fallback.
     */
    static List<EnforcementBackend.Candidate> candidates(Optional<Path> mount, EnforcerStateFile stateFile) {
        return List.of(BpfLsmCgroupAttachBackend.candidate(mount), BpfLsmFileBackend.candidate(mount),
                DacBackend.candidate(mount, stateFile));
    }

    /**
     * For a collector that does not enforce: puts back every file a previous run left under dac
     * control in {@code stateDir} (a crash while enforcing, then a restart with --no-enforce).
     */
    public static void restoreLeftovers(Path stateDir) {
        Cgroup2Mount.find().ifPresent(mount -> restoreLeftovers(mount, new EnforcerStateFile(stateDir)));
    }

    /** For a node whose enforcement runs on another backend than dac: see {@link #restoreLeftovers(Path)}. */
    static void restoreLeftovers(Path mount, EnforcerStateFile stateFile) {
        try {
            if (stateFile.load().isEmpty()) {
                return;
            }
            LOG.info("restoring the files a previous enforcing run left under dac control ({})", stateFile.path());
            DacBackend.open(mount, stateFile).close();
        } catch (EnforcerStateException e) {
            LOG.error("cannot restore files left under dac control: {}", e.getMessage());
        }
    }

    /** Wraps the sink so that denials this node's enforcement caused carry their rule. */
    public DecisionSink attributing(DecisionSink sink) {
        return new EnforcementAttributor(sink, enforcer);
    }

    @Override
    public String backend() {
        return enforcer.backendName();
    }

    @Override
    public List<Capability> capabilities() {
        return enforcer.capabilities().stream().map(KernelCapability::toCapability).toList();
    }

    @Override
    public List<RuleEnforcementStatus> ruleEnforcement() {
        return enforcer.ruleEnforcement();
    }

    @Override
    public List<PolicyCommandResult> drainPolicyCommands() {
        return follower == null ? List.of() : follower.drainResults();
    }

    @Override
    public String note() {
        List<String> notes = new ArrayList<>();
        if (trustProblem != null) {
            notes.add(trustProblem);
        } else if (!enforcer.policyKnown()) {
            notes.add("enforcement waits for the policy (" + follower.problem() + "); files under control stay as they are");
        } else if (follower.problem() != null) {
            notes.add("enforcing the last policy read; " + follower.problem());
        }
        notes.addAll(enforcer.problems());
        return notes.isEmpty() ? null : "enforcer: " + String.join("; ", notes);
    }

    /** Stops following the policy, then restores what the backend changed. */
    @Override
    public void close() {
        if (follower != null) {
            follower.close();
        }
        enforcer.close();
    }
}
