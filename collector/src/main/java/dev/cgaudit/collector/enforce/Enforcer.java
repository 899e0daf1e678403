package dev.cgaudit.collector.enforce;

import dev.cgaudit.collector.bpf.KernelCapability;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Enforcement;
import dev.cgaudit.schema.RuleEnforcementStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the rules in enforce mode through the best backend this node permits. Backends are
 * probed in order of precision (bpf-lsm cgroup_attach, bpf-lsm file hooks, dac); the first that
 * works is used, and every probe result is reported, so a node that falls back says why.
 *
 * <p>One thread ({@code cgaudit-enforcer}) applies: on every policy change and on a periodic
 * rescan, which catches cgroups created inside protected subtrees and files changed behind the
 * enforcer's back. Until the first policy arrives nothing is applied or restored: what a previous
 * run left in force stays in force.
 */
public final class Enforcer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Enforcer.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final EnforcementBackend backend;
    private final List<KernelCapability> probes;
    private final ScheduledExecutorService executor;
    /** The enforce rules to apply; null until the policy was read. */
    private final AtomicReference<List<EnforcedRule>> rules = new AtomicReference<>();
    private volatile List<RuleEnforcementStatus> statuses = List.of();
    private volatile String passFailure;

    private Enforcer(EnforcementBackend backend, List<KernelCapability> probes, Duration rescan) {
        this.backend = backend;
        this.probes = List.copyOf(probes);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cgaudit-enforcer");
            t.setDaemon(true);
            return t;
        });
        long every = rescan.toMillis();
        executor.scheduleWithFixedDelay(this::pass, every, every, TimeUnit.MILLISECONDS);
    }

    /** Probes every candidate (in order of preference) and opens the first available one. */
    public static Enforcer start(List<EnforcementBackend.Candidate> candidates, Duration rescan) {
        List<KernelCapability> probes = new ArrayList<>();
        EnforcementBackend chosen = null;
        for (EnforcementBackend.Candidate c : candidates) {
            BackendProbe probe = c.probe();
            if (probe.available() && chosen == null) {
                try {
                    chosen = c.open();
                } catch (Exception e) {
                    probe = new BackendProbe(c.name(), false, "probed fine but could not be opened: " + e.getMessage());
                }
            } else if (probe.available()) {
                c.discard();
            }
            probes.add(probe.toCapability());
        }
        String summary = probes.stream().map(p -> p.name() + (p.available() ? " available" : " unavailable: " + p.detail()))
                .collect(Collectors.joining("; "));
        if (chosen == null) {
            LOG.warn("enforcement: no backend works on this node, enforce rules will be reported as not enforced ({})", summary);
        } else {
            LOG.info("enforcement backend: {} ({})", chosen.name(), summary);
        }
        return new Enforcer(chosen, probes, rescan);
    }

    /** Hands over the complete set of rules in enforce mode; applied on the enforcer's thread. */
    public void enforce(List<EnforcedRule> enforceRules) {
        rules.set(List.copyOf(enforceRules));
        try {
            executor.execute(this::pass);
        } catch (RejectedExecutionException closing) {
            // closing: the backend restores everything anyway
        }
    }

    /** The backend in use, null when none works here. */
    public String backendName() {
        return backend == null ? null : backend.name();
    }

    /** The probe of every backend, then what the one in use can do per rule kind. */
    public List<KernelCapability> capabilities() {
        List<KernelCapability> all = new ArrayList<>(probes);
        if (backend != null) {
            all.addAll(backend.kindCapabilities());
        }
        return all;
    }

    /** Per enforce rule, as of the latest pass; empty until the policy was read. */
    public List<RuleEnforcementStatus> ruleEnforcement() {
        return statuses;
    }

    /** Whether the policy has been handed over at least once. */
    public boolean policyKnown() {
        return rules.get() != null;
    }

    /** Problems of the latest pass not tied to a rule in enforce mode (failed restores, a failed pass). */
    public List<String> problems() {
        List<String> all = new ArrayList<>();
        if (backend != null) {
            all.addAll(backend.problems());
        }
        if (passFailure != null) {
            all.add(passFailure);
        }
        return all;
    }

    /** The rule that made the kernel deny this decision, if this node's enforcement did. */
    public Optional<Enforcement> attribute(AttachDecision decision) {
        return backend == null ? Optional.empty() : backend.attribute(decision);
    }

    private void pass() {
        List<EnforcedRule> now = rules.get();
        if (now == null) {
            return;
        }
        try {
            statuses = backend == null ? unenforced(now) : backend.apply(now);
            passFailure = null;
        } catch (RuntimeException e) {
            // Keep the thread alive for the next pass; say what failed.
            passFailure = "enforcement pass failed: " + e;
            LOG.error("enforcement pass failed", e);
        }
    }

    private List<RuleEnforcementStatus> unenforced(List<EnforcedRule> now) {
        String why = "no enforcement backend works on this node: " + probes.stream()
                .map(p -> p.name() + ": " + p.detail()).collect(Collectors.joining("; "));
        return now.stream().map(r -> RuleEnforcementStatus.newBuilder()
                .setRuleId(r.id()).setRuleVersion(r.version()).setBackend(null).setEnforced(false)
                .setReason(PolicyRule.isCounting(r.rule().kind()) ? DacPlanner.DETECTION_ONLY : why)
                .build()).toList();
    }

    /** Stops the rescans (a running pass finishes), then has the backend undo what it applied. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("enforcement pass still running after {}; restoring anyway", CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (backend != null) {
            backend.close();
        }
    }
}
