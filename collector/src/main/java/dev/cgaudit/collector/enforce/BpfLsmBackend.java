package dev.cgaudit.collector.enforce;

import dev.cgaudit.collector.Errno;
import dev.cgaudit.collector.bpf.BpfException;
import dev.cgaudit.collector.bpf.BpfObject;
import dev.cgaudit.collector.bpf.BpfResources;
import dev.cgaudit.collector.bpf.LibBpf;
import dev.cgaudit.policy.Subtree;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Enforcement;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.RuleEnforcementStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the two BPF LSM backends share: the loaded and attached enforcer object, its allow-list
 * map kept equal to the enforce rules (keyed by the protected subtree's cgroup id and a slot),
 * and attribution from the map entry that denied. Closing detaches the programs: nothing is left
 * enforced, and nothing on disk was changed.
 */
abstract class BpfLsmBackend implements EnforcementBackend {

    private static final Logger LOG = LoggerFactory.getLogger(BpfLsmBackend.class);
    /** A denial recorded by the program belongs to a decision captured at most this much later. */
    private static final long DENIAL_MATCH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String name;
    private final Path mount;
    private final BpfObject object;
    private final BpfAllowList allowList;
    private final BpfRulePlanner planner;
    /** What the map holds now, by (subtree id, slot): the bytes written and the rule. */
    private final Map<SlotKey, Installed> installed = new HashMap<>();
    private volatile Map<SlotKey, EnforcedRule> byKey = Map.of();

    BpfLsmBackend(String name, Path mount, BpfObject attached, BpfRulePlanner.Hooks hooks) throws BpfException {
        this.name = name;
        this.mount = mount;
        this.object = attached;
        this.allowList = new BpfAllowList(attached);
        this.planner = new BpfRulePlanner(hooks);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized List<RuleEnforcementStatus> apply(List<EnforcedRule> rules) {
        Map<SlotKey, Installed> desired = new HashMap<>();
        Map<Long, Integer> slotsUsed = new HashMap<>();
        List<RuleEnforcementStatus> statuses = new ArrayList<>();
        for (EnforcedRule rule : rules) {
            BpfRulePlan plan = planner.plan(rule, resolver());
            List<String> problems = new ArrayList<>();
            if (plan.installs()) {
                OptionalLong subtreeId = cgroupId(mount, rule.rule().subtree());
                if (subtreeId.isEmpty()) {
                    problems.add("subtree " + rule.rule().subtree() + " does not exist on this node (yet); it is protected"
                            + " from the first rescan after it appears");
                } else {
                    int slot = slotsUsed.merge(subtreeId.getAsLong(), 1, Integer::sum) - 1;
                    if (slot >= BpfEnforceLayout.SLOTS) {
                        problems.add("not installed: more than " + BpfEnforceLayout.SLOTS + " enforce rules on "
                                + rule.rule().subtree());
                    } else {
                        byte[] value = BpfEnforceLayout.rule(rule.version(), plan.scope(), rule.id(), plan.entries());
                        desired.put(new SlotKey(subtreeId.getAsLong(), slot), new Installed(rule, value));
                    }
                }
            }
            statuses.add(status(plan, problems));
        }
        List<String> failures = sync(desired);
        if (!failures.isEmpty()) {
            failures.forEach(f -> LOG.error("{}: {}", name, f));
            statuses = statuses.stream().map(s -> RuleEnforcementStatus.newBuilder(s).setEnforced(false)
                    .setReason(s.getReason() + "; map update failed: " + String.join("; ", failures)).build()).toList();
        }
        Map<SlotKey, EnforcedRule> snapshot = new HashMap<>();
        installed.forEach((k, v) -> snapshot.put(k, v.rule()));
        byKey = Map.copyOf(snapshot);
        return statuses;
    }

    /** Writes what changed and deletes what is no longer wanted; the programs see each update at once. */
    private List<String> sync(Map<SlotKey, Installed> desired) {
        List<String> failures = new ArrayList<>();
        for (Map.Entry<SlotKey, Installed> e : desired.entrySet()) {
            Installed now = installed.get(e.getKey());
            if (now != null && Arrays.equals(now.value(), e.getValue().value())) {
                continue;
            }
            try {
                allowList.put(e.getKey().subtreeId(), e.getKey().slot(), e.getValue().value());
                installed.put(e.getKey(), e.getValue());
                LOG.info("{}: rule {} installed for cgroup {} slot {}", name, e.getValue().rule(), e.getKey().subtreeId(), e.getKey().slot());
            } catch (BpfException ex) {
                failures.add(ex.getMessage());
            }
        }
        for (SlotKey gone : new ArrayList<>(installed.keySet())) {
            if (desired.containsKey(gone)) {
                continue;
            }
            try {
                allowList.delete(gone.subtreeId(), gone.slot());
                LOG.info("{}: rule {} removed from cgroup {}", name, installed.remove(gone).rule(), gone.subtreeId());
            } catch (BpfException ex) {
                failures.add(ex.getMessage());
            }
        }
        return failures;
    }

    /** A denial the program recorded for this writer thread (EPERM, moments before the decision). */
    @Override
    public Optional<Enforcement> attribute(AttachDecision d) {
        if (d.getOutcome() != Outcome.DENIED || d.getErrno() != Errno.EPERM) {
            return Optional.empty();
        }
        long pidTgid = ((long) d.getWriter().getTgid() << 32) | (d.getWriter().getPid() & 0xffffffffL);
        return allowList.denial(pidTgid)
                .filter(den -> d.getKernelTimeNs() - den.ktimeNs() >= 0 && d.getKernelTimeNs() - den.ktimeNs() < DENIAL_MATCH_NANOS)
                .flatMap(den -> Optional.ofNullable(byKey.get(new SlotKey(den.subtreeId(), den.slot())))
                        .filter(rule -> rule.version() == den.ruleVersion()))
                .map(rule -> Enforcement.newBuilder().setRuleId(rule.id()).setRuleVersion(rule.version()).setBackend(name).build());
    }

    @Override
    public synchronized void close() {
        object.close();
        installed.clear();
        byKey = Map.of();
    }

    private RuleEnforcementStatus status(BpfRulePlan plan, List<String> problems) {
        List<String> reason = new ArrayList<>(List.of(plan.reason(name)));
        reason.addAll(problems);
        return RuleEnforcementStatus.newBuilder()
                .setRuleId(plan.rule().id())
                .setRuleVersion(plan.rule().version())
                .setBackend(plan.installs() ? name : null)
                .setEnforced(plan.enforced() && problems.isEmpty())
                .setReason(String.join("; ", reason))
                .build();
    }

    private BpfRulePlanner.Resolver resolver() {
        return systemResolver(mount);
    }

    /** Executables by stat(2) of the path, subtrees by the inode of their directory on the mount. */
    static BpfRulePlanner.Resolver systemResolver(Path mount) {
        return new BpfRulePlanner.Resolver() {
            @Override
            public Optional<long[]> exe(String path) {
                try {
                    long dev = ((Number) Files.getAttribute(Path.of(path), "unix:dev")).longValue();
                    long ino = ((Number) Files.getAttribute(Path.of(path), "unix:ino")).longValue();
                    return Optional.of(new long[] {BpfEnforceLayout.kernelDev(dev), ino});
                } catch (IOException e) {
                    return Optional.empty();
                }
            }

            @Override
            public OptionalLong cgroupId(Subtree subtree) {
                return BpfLsmBackend.cgroupId(mount, subtree);
            }
        };
    }

    private static OptionalLong cgroupId(Path mount, Subtree subtree) {
        try {
            Path dir = ControlledFile.directory(mount, subtree.path());
            return OptionalLong.of(((Number) Files.getAttribute(dir, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue());
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** What must hold before the object is even loaded; the reason when it does not. */
    @FunctionalInterface
    interface Precondition {
        Optional<String> unmet() throws BpfException;
    }

    /** Makes the backend around the object the probe loaded and attached. */
    @FunctionalInterface
    interface Factory {
        EnforcementBackend open(Path mount, BpfObject attached) throws BpfException;
    }

    /**
     * A candidate whose probe is the real thing: load and attach {@code resource} (after
     * {@code precondition}); the kernel accepts the lsm programs or says why not. The attached
     * object is handed to the backend, or released when another backend is chosen.
     */
    static Candidate candidate(String name, String resource, Optional<Path> mount, Precondition precondition,
            String attachedDetail, Factory factory) {
        return new Candidate() {
            private BpfObject probed;

            @Override
            public String name() {
                return name;
            }

            @Override
            public BackendProbe probe() {
                if (mount.isEmpty()) {
                    return new BackendProbe(name, false, "no cgroup2 mount in /proc/self/mountinfo");
                }
                try {
                    Optional<String> unmet = precondition.unmet();
                    if (unmet.isPresent()) {
                        return new BackendProbe(name, false, unmet.get());
                    }
                    probed = loadAndAttach(resource);
                    return new BackendProbe(name, true, attachedDetail);
                } catch (BpfException e) {
                    return new BackendProbe(name, false, e.getMessage() + activeLsms());
                }
            }

            @Override
            public void discard() {
                if (probed != null) {
                    probed.close();
                }
            }

            @Override
            public EnforcementBackend open() throws BpfException {
                return factory.open(mount.orElseThrow(), probed);
            }
        };
    }

    /** Loads and attaches every program of {@code resource}. */
    static BpfObject loadAndAttach(String resource) throws BpfException {
        LibBpf lib = LibBpf.load();
        BpfObject obj = BpfObject.openMem(lib, resource.replace(".bpf.o", ""), BpfResources.read(resource));
        try {
            obj.load();
            obj.attachAll();
            return obj;
        } catch (BpfException e) {
            obj.close();
            throw e;
        }
    }

    static String activeLsms() {
        try {
            return "; active LSMs: " + Files.readString(Path.of("/sys/kernel/security/lsm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private record SlotKey(long subtreeId, int slot) {
    }

    private record Installed(EnforcedRule rule, byte[] value) {
    }
}
