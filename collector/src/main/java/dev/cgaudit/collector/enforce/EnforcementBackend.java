package dev.cgaudit.collector.enforce;

import dev.cgaudit.collector.bpf.KernelCapability;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Enforcement;
import dev.cgaudit.schema.RuleEnforcementStatus;
import java.util.List;
import java.util.Optional;

/**
 * One way of making the kernel deny what an enforce rule forbids. The {@link Enforcer} calls
 * {@link #apply} from one thread, with the complete set of enforce rules every time (policy change
 * or rescan), so a backend converges on that set and undoes whatever it applied for rules no longer
 * in it.
 */
public interface EnforcementBackend extends AutoCloseable {

    /** As in StatusEvent.enforcementBackend and Enforcement.backend: bpf-lsm-cgroup-attach, bpf-lsm-file, dac. */
    String name();

    /** Per rule kind (and known gaps), what this backend can enforce, for StatusEvent.capabilities. */
    List<KernelCapability> kindCapabilities();

    /** Makes the node enforce exactly {@code rules}; one status per rule, saying what is and is not enforced. */
    List<RuleEnforcementStatus> apply(List<EnforcedRule> rules);

    /**
     * The rule that made the kernel deny {@code decision}, if this backend caused the denial. Called
     * on the reader thread for every decision: must be cheap for the common case (not a denial).
     */
    Optional<Enforcement> attribute(AttachDecision decision);

    /** Problems of the latest pass not tied to a rule in enforce mode (e.g. a failed restore); none by default. */
    default List<String> problems() {
        return List.of();
    }

    /** Undoes everything this backend applied (restores the node as it was). */
    @Override
    void close();

    /** A backend this node may use, probed before anything is changed. */
    interface Candidate {
        String name();

        BackendProbe probe();

        /** Called only when {@link #probe()} said available. */
        EnforcementBackend open() throws Exception;

        /** Releases what a successful probe holds when another backend was chosen. */
        default void discard() {
        }
    }
}
