package dev.cgaudit.collector.enforce;

import dev.cgaudit.collector.bpf.KernelCapability;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Enforcement;
import dev.cgaudit.schema.RuleEnforcementStatus;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforcement by file ownership, the mainline kernel's own delegation knob: for every cgroup in a
 * protected subtree, {@code cgroup.procs} and {@code cgroup.threads} get the owner, group and mode
 * that let only the rule's allowed uid/gid write them ({@link DacPlanner}, {@link DacGrant}).
 *
 * <p>Before a file is changed for the first time its original owner, group and mode are written to
 * the state file ({@link EnforcerStateFile}); a file is restored exactly, and only then dropped from
 * the state file, when no enforce rule covers it any more, and at shutdown. After a crash the next
 * start finds the records and restores or re-applies as the policy then says. Files outside
 * protected subtrees are never touched; a cgroup removed and made again under the same name is
 * recognised by its id and treated as new.
 */
public final class DacBackend implements EnforcementBackend {

    public static final String NAME = "dac";

    private static final Logger LOG = LoggerFactory.getLogger(DacBackend.class);
    private static final List<String> FILES = List.of(ControlledFile.PROCS, ControlledFile.THREADS);

    private final Path mount;
    private final EnforcerStateFile stateFile;
    private final DacPlanner planner = new DacPlanner();
    /** Mirrors the state file: every file whose original we hold, by key. */
    private final Map<String, ControlledFile> records = new LinkedHashMap<>();
    /** What this process last set, by key: tells a change behind our back from our own first change. */
    private final Map<String, FileOwnership> applied = new HashMap<>();
    private final DacAttributor attributor;
    private volatile DacSnapshot snapshot = DacSnapshot.EMPTY;
    private volatile List<String> unassignedProblems = List.of();

    private DacBackend(Path mount, EnforcerStateFile stateFile, List<ControlledFile> recorded) {
        this.mount = mount;
        this.stateFile = stateFile;
        recorded.forEach(f -> records.put(f.key(), f));
        this.attributor = new DacAttributor(mount, () -> snapshot);
    }

    /**
     * Opens the backend with the records of a previous run, if any; nothing is changed until the
     * first {@link #apply}: until the policy is known, files stay as the previous run left them.
     */
    public static DacBackend open(Path mount, EnforcerStateFile stateFile) throws EnforcerStateException {
        List<ControlledFile> recorded = stateFile.load();
        if (!recorded.isEmpty()) {
            LOG.info("{} lists {} file(s) under dac control from a previous run; kept as they are until the policy is read",
                    stateFile.path(), recorded.size());
        }
        return new DacBackend(mount, stateFile, recorded);
    }

    /** Probes and opens dac on this node's cgroup2 mount. */
    public static Candidate candidate(Optional<Path> mount, EnforcerStateFile stateFile) {
        return new Candidate() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public BackendProbe probe() {
                return DacBackend.probe(mount, ProcessIdentity.effectiveUid());
            }

            @Override
            public EnforcementBackend open() throws EnforcerStateException {
                return DacBackend.open(mount.orElseThrow(), stateFile);
            }
        };
    }

    static BackendProbe probe(Optional<Path> mount, long euid) {
        if (mount.isEmpty()) {
            return new BackendProbe(NAME, false, "no cgroup2 mount in /proc/self/mountinfo");
        }
        if (euid != 0) {
            return new BackendProbe(NAME, false, "changing the owner of cgroup files needs root (CAP_CHOWN); running as uid " + euid);
        }
        return new BackendProbe(NAME, true, "owner/group/mode of cgroup.procs and cgroup.threads under " + mount.get()
                + " (cgroup v2 delegation); root (CAP_DAC_OVERRIDE) bypasses it");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<KernelCapability> kindCapabilities() {
        return List.of(
                new KernelCapability("enforce.dac.allowlist", true, "moves into a subtree by writers other than root,"
                        + " by one uid (owner) and one gid (group) per file; write(2) and clone3(CLONE_INTO_CGROUP) alike;"
                        + " not moves out, not exe/comm/writerCgroup/when"),
                new KernelCapability("enforce.dac.containment", false, "leaving a subtree is checked against the"
                        + " cgroup.procs of the destination and of the common ancestor, both outside it"),
                new KernelCapability("enforce.dac.denial-burst", false, DacPlanner.DETECTION_ONLY),
                new KernelCapability("enforce.dac.churn", false, DacPlanner.DETECTION_ONLY),
                new KernelCapability("enforce.dac.root", false, "root (CAP_DAC_OVERRIDE) bypasses dac"));
    }

    @Override
    public synchronized List<RuleEnforcementStatus> apply(List<EnforcedRule> rules) {
        List<DacPlan> plans = rules.stream().map(planner::plan).toList();
        Problems problems = new Problems();
        Map<String, Desired> desired = desired(plans, problems);
        recordOriginals(desired, problems);
        enforce(desired, problems);
        List<ControlledFile> released = records.values().stream().filter(f -> !desired.containsKey(f.key())).toList();
        List<String> restoreFailures = release(released);
        unassignedProblems = List.copyOf(restoreFailures);
        Map<String, DacSnapshot.Controlled> controlled = new HashMap<>();
        for (Desired want : desired.values()) {
            ControlledFile rec = records.get(want.key());
            if (rec != null) {
                controlled.put(want.key(), new DacSnapshot.Controlled(rec, want.plans().stream().map(DacPlan::rule).toList()));
            }
        }
        snapshot = new DacSnapshot(controlled);
        return plans.stream().map(p -> status(p, problems)).toList();
    }

    @Override
    public Optional<Enforcement> attribute(AttachDecision decision) {
        return attributor.attribute(decision);
    }

    /** Failed restores of files whose rule is gone (they stay recorded and are retried every pass). */
    @Override
    public List<String> problems() {
        return unassignedProblems;
    }

    /** The files currently recorded (their originals held), by key. */
    synchronized Map<String, ControlledFile> records() {
        return Map.copyOf(records);
    }

    /** Restores every file under control; what cannot be restored stays recorded and is logged. */
    @Override
    public synchronized void close() {
        List<String> failures = release(new ArrayList<>(records.values()));
        failures.forEach(f -> LOG.error("dac: {}", f));
        snapshot = DacSnapshot.EMPTY;
    }

    // ---- the pass ----

    /** Every file the plans want controlled, and the grant for it (the intersection where rules overlap). */
    private Map<String, Desired> desired(List<DacPlan> plans, Problems problems) {
        Map<String, Desired> desired = new LinkedHashMap<>();
        Set<String> overlapsSaid = new LinkedHashSet<>();
        for (DacPlan plan : plans) {
            if (!plan.changesFiles()) {
                continue;
            }
            String subtree = plan.rule().rule().subtree().path();
            Path root = ControlledFile.directory(mount, subtree);
            if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
                problems.note(plan.rule(), "subtree " + subtree + " does not exist on this node (yet); it is"
                        + " protected from the first rescan after it appears");
                continue;
            }
            for (Path dir : cgroupsUnder(root)) {
                String cgroup = relative(dir);
                for (String file : FILES) {
                    String key = ControlledFile.key(cgroup, file);
                    Desired known = desired.get(key);
                    if (known == null) {
                        desired.put(key, new Desired(cgroup, file, dir, plan.grant().orElseThrow(), List.of(plan)));
                        continue;
                    }
                    DacGrant both = known.grant().intersect(plan.grant().orElseThrow());
                    if (!both.equals(known.grant()) || !both.equals(plan.grant().orElseThrow())) {
                        for (DacPlan other : known.plans()) {
                            if (overlapsSaid.add(other.rule().id() + "|" + plan.rule().id())) {
                                String text = "overlaps with rule %s under " + cgroup + ": files there let through only what both allow (" + both + ")";
                                problems.note(plan.rule(), String.format(text, other.rule().id()));
                                problems.note(other.rule(), String.format(text, plan.rule().id()));
                            }
                        }
                    }
                    List<DacPlan> covering = new ArrayList<>(known.plans());
                    covering.add(plan);
                    desired.put(key, new Desired(cgroup, file, dir, both, covering));
                }
            }
        }
        return desired;
    }

    /** Writes the originals of files not yet recorded to the state file, before anything changes them. */
    private void recordOriginals(Map<String, Desired> desired, Problems problems) {
        Map<String, ControlledFile> fresh = new LinkedHashMap<>();
        for (Desired want : desired.values()) {
            OptionalLong id = inode(want.dir());
            if (id.isEmpty()) {
                continue; // removed since the walk: nothing left to protect
            }
            ControlledFile known = records.get(want.key());
            if (known != null && known.cgroupId() == id.getAsLong()) {
                continue;
            }
            if (known != null) {
                // The cgroup was removed and made again: the old record describes files that are gone.
                LOG.info("dac: {} is a new cgroup (id {} -> {}); its record is dropped", want.cgroup(), known.cgroupId(), id.getAsLong());
                records.remove(want.key());
                applied.remove(want.key());
            }
            Path path = want.dir().resolve(want.file());
            try {
                fresh.put(want.key(), new ControlledFile(want.cgroup(), want.file(), id.getAsLong(), FileOwnership.read(path)));
            } catch (NoSuchFileException e) {
                // removed since the walk
            } catch (IOException e) {
                want.plans().forEach(p -> problems.fail(p.rule(), "cannot read " + path + ": " + e));
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        Map<String, ControlledFile> next = new LinkedHashMap<>(records);
        next.putAll(fresh);
        try {
            stateFile.save(next.values());
            records.putAll(fresh);
        } catch (EnforcerStateException e) {
            // Not durable, so not changed: a crash now must not leave a file whose original is lost.
            for (String key : fresh.keySet()) {
                desired.get(key).plans().forEach(p -> problems.fail(p.rule(), "not applied to " + desired.get(key).dir()
                        .resolve(desired.get(key).file()) + ": " + e.getMessage()));
            }
        }
    }

    private void enforce(Map<String, Desired> desired, Problems problems) {
        for (Desired want : desired.values()) {
            ControlledFile rec = records.get(want.key());
            if (rec == null) {
                continue;
            }
            FileOwnership target = want.grant().applyTo(rec.original());
            Path path = rec.path(mount);
            try {
                FileOwnership now = FileOwnership.read(path);
                if (!now.equals(target)) {
                    FileOwnership ours = applied.get(want.key());
                    target.applyTo(path);
                    if (target.equals(ours)) {
                        LOG.warn("dac: {} was changed to {} behind the enforcer; set back to {}", path, now, target);
                    } else {
                        LOG.info("dac: {} {} -> {} for {}", path, now, target, want.plans().stream().map(p -> p.rule().toString()).toList());
                    }
                }
                applied.put(want.key(), target);
            } catch (NoSuchFileException e) {
                // the cgroup was removed meanwhile: nothing left to protect
            } catch (IOException e) {
                want.plans().forEach(p -> problems.fail(p.rule(), "chown/chmod " + path + " to " + target + " failed: " + e));
            }
        }
    }

    /**
     * Puts files back exactly as recorded, then drops their records. A file whose cgroup is gone
     * (or was replaced by another of the same name) has nothing left to restore. Returns failures.
     */
    private List<String> release(Collection<ControlledFile> files) {
        List<String> failures = new ArrayList<>();
        List<ControlledFile> done = new ArrayList<>();
        for (ControlledFile f : files) {
            OptionalLong id = inode(f.directory(mount));
            if (id.isEmpty() || id.getAsLong() != f.cgroupId()) {
                done.add(f);
                continue;
            }
            Path path = f.path(mount);
            try {
                f.original().applyTo(path);
                LOG.info("dac: {} restored to {}", path, f.original());
                done.add(f);
            } catch (NoSuchFileException e) {
                done.add(f);
            } catch (IOException e) {
                failures.add("restoring " + path + " to " + f.original() + " failed (kept in " + stateFile.path() + "): " + e);
            }
        }
        if (!done.isEmpty()) {
            done.forEach(f -> {
                records.remove(f.key());
                applied.remove(f.key());
            });
            try {
                stateFile.save(records.values());
            } catch (EnforcerStateException e) {
                // The files are restored; a stale record only makes the next start restore them again.
                failures.add(e.getMessage());
            }
        }
        return failures;
    }

    private RuleEnforcementStatus status(DacPlan plan, Problems problems) {
        List<String> failures = problems.failures(plan.rule());
        List<String> notes = problems.notes(plan.rule());
        List<String> reason = new ArrayList<>();
        reason.add(plan.reason());
        reason.addAll(failures);
        reason.addAll(notes);
        return RuleEnforcementStatus.newBuilder()
                .setRuleId(plan.rule().id())
                .setRuleVersion(plan.rule().version())
                .setBackend(plan.changesFiles() ? NAME : null)
                .setEnforced(plan.enforced() && failures.isEmpty())
                .setReason(String.join("; ", reason))
                .build();
    }

    // ---- helpers ----

    private static List<Path> cgroupsUnder(Path root) {
        List<Path> dirs = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    dirs.add(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // a cgroup removed during the walk
                }
            });
        } catch (IOException e) {
            LOG.warn("dac: walking {} failed: {}", root, e.toString());
        }
        return dirs;
    }

    private String relative(Path dir) {
        Path rel = mount.relativize(dir);
        return rel.toString().isEmpty() ? "/" : "/" + rel;
    }

    private static OptionalLong inode(Path dir) {
        try {
            return OptionalLong.of(((Number) Files.getAttribute(dir, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue());
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** One file to control: where, the grant, and the plans (rules) that cover it. */
    private record Desired(String cgroup, String file, Path dir, DacGrant grant, List<DacPlan> plans) {
        String key() {
            return ControlledFile.key(cgroup, file);
        }
    }

    /** Per rule: failures (the rule is then not enforced) and notes (said, but not a failure). */
    private static final class Problems {
        private final Map<String, List<String>> failures = new HashMap<>();
        private final Map<String, List<String>> notes = new HashMap<>();

        void fail(EnforcedRule rule, String text) {
            failures.computeIfAbsent(rule.id(), k -> new ArrayList<>()).add(text);
        }

        void note(EnforcedRule rule, String text) {
            notes.computeIfAbsent(rule.id(), k -> new ArrayList<>()).add(text);
        }

        List<String> failures(EnforcedRule rule) {
            return failures.getOrDefault(rule.id(), List.of());
        }

        List<String> notes(EnforcedRule rule) {
            return notes.getOrDefault(rule.id(), List.of());
        }
    }
}
