package dev.cgaudit.collector.enrich;

import static dev.cgaudit.collector.decode.RecordLayout.F_PATH_IS_DST;
import static dev.cgaudit.collector.decode.RecordLayout.F_SRC_KNOWN;
import static dev.cgaudit.collector.decode.RecordLayout.F_TARGET_FOUND;
import static dev.cgaudit.collector.decode.RecordLayout.F_TARGET_PARSED;

import dev.cgaudit.collector.Errno;
import dev.cgaudit.collector.decode.RawDecision;
import dev.cgaudit.collector.decode.RecordLayout;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.EventIds;
import dev.cgaudit.schema.Operation;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.Target;
import dev.cgaudit.schema.Writer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Turns what the kernel reported ({@link RawDecision}) into the contract event: identity
 * (node/bootId/seq), wall-clock time, cgroup paths, the writer's executable, the errno name.
 * Runs on the reader thread right after the record is read, because /proc/PID/exe is only there
 * while the writer lives.
 */
public final class DecisionEnricher {

    /** openat's "relative to the working directory" dirfd. */
    static final int AT_FDCWD = -100;

    private final String node;
    private final String bootId;
    private final String collectorVersion;
    private final KernelClock clock;
    private final CgroupPathResolver cgroups;
    private final ProcessInfo processes;

    public DecisionEnricher(String node, String bootId, String collectorVersion, KernelClock clock,
            CgroupPathResolver cgroups, ProcessInfo processes) {
        this.node = node;
        this.bootId = bootId;
        this.collectorVersion = collectorVersion;
        this.clock = clock;
        this.cgroups = cgroups;
        this.processes = processes;
    }

    public String node() {
        return node;
    }

    public String bootId() {
        return bootId;
    }

    public AttachDecision enrich(RawDecision raw, long seq) {
        // Setters rather than builders: a builder copies the schema's field list and checks
        // defaults on every build, a fifth of the reader thread in the end-to-end bench. A field
        // left unset fails at encoding, naming it.
        AttachDecision d = new AttachDecision();
        d.setEventId(EventIds.of(node, bootId, seq));
        d.setNode(node);
        d.setBootId(bootId);
        d.setSeq(seq);
        d.setKernelTimeNs(raw.ktimeNs());
        d.setTimestamp(clock.toInstant(raw.ktimeNs()));
        d.setOperation(operation(raw.op()));
        d.setWriter(writer(raw));
        d.setTarget(target(raw));
        d.setSource(raw.has(F_SRC_KNOWN) ? cgroup(raw.srcCgroupId()) : null);
        d.setDestination(destination(raw));
        d.setOutcome(raw.allowed() ? Outcome.ALLOWED : Outcome.DENIED);
        d.setErrno(raw.errno());
        d.setErrnoName(Errno.name(raw.errno()));
        d.setEnforcement(null);
        d.setCollectorVersion(collectorVersion);
        return d;
    }

    private Writer writer(RawDecision raw) {
        CgroupPathResolver.Resolution cgroup = cgroups.pathOf(raw.writerCgroupId());
        Writer w = new Writer();
        w.setPid(raw.writerPid());
        w.setTgid(raw.writerTgid());
        w.setUid(raw.writerUid());
        w.setGid(raw.writerGid());
        w.setComm(raw.writerComm());
        w.setExe(processes.exe(raw.writerTgid(), raw.writerExecId()).orElse(null));
        w.setCgroupId(raw.writerCgroupId());
        w.setCgroupPath(cgroup.path());
        return w;
    }

    private static Target target(RawDecision raw) {
        switch (raw.stage()) {
            case RecordLayout.STAGE_OPEN:
                return null; // denied at open: nothing was written, so there is no target yet
            case RecordLayout.STAGE_CLONE3:
                // The child exists only when clone3 succeeded; it starts as a copy of the writer.
                return raw.allowed() ? target(raw.targetPid(), raw.targetPid(), raw.writerComm()) : null;
            default:
                if (!raw.has(F_TARGET_PARSED)) {
                    return null; // the text written was not a pid (EINVAL)
                }
                boolean found = raw.has(F_TARGET_FOUND);
                return target(raw.targetPid(), found ? raw.targetTgid() : null, found ? raw.targetComm() : null);
        }
    }

    private static Target target(int pid, Integer tgid, String comm) {
        Target t = new Target();
        t.setPid(pid);
        t.setTgid(tgid);
        t.setComm(comm);
        return t;
    }

    private CgroupRef destination(RawDecision raw) {
        if (raw.has(F_PATH_IS_DST) && !raw.path().isEmpty()) {
            cgroups.learn(raw.dstCgroupId(), raw.path());
            return cgroupRef(raw.dstCgroupId(), raw.path(), null);
        }
        if (raw.stage() == RecordLayout.STAGE_OPEN) {
            return openedCgroup(raw);
        }
        return cgroup(raw.dstCgroupId());
    }

    /** A failed open names a file, not a cgroup: resolve the file the way the kernel would have. */
    private CgroupRef openedCgroup(RawDecision raw) {
        Path name = Path.of(raw.path());
        Optional<Path> base = name.isAbsolute() ? Optional.of(Path.of("/"))
                : raw.dirfd() == AT_FDCWD ? processes.cwd(raw.writerTgid())
                : processes.fdPath(raw.writerTgid(), raw.dirfd());
        if (base.isEmpty()) {
            return cgroupRef(0, null, "open of '" + raw.path() + "' by pid " + raw.writerTgid()
                    + ": its working directory or dirfd is gone");
        }
        Path directory = base.get().resolve(name).normalize().getParent();
        OptionalLong id = directory == null ? OptionalLong.empty() : cgroups.idOf(directory);
        Optional<String> path = directory == null ? Optional.empty() : cgroups.relativePath(directory);
        if (id.isEmpty() || path.isEmpty()) {
            return cgroupRef(0, null, "'" + base.get().resolve(name) + "' is not a cgroup on " + cgroups.mount());
        }
        return cgroupRef(id.getAsLong(), path.get(), null);
    }

    private CgroupRef cgroup(long id) {
        CgroupPathResolver.Resolution r = cgroups.pathOf(id);
        return cgroupRef(id, r.path(), r.error());
    }

    private static CgroupRef cgroupRef(long id, String path, String pathError) {
        CgroupRef ref = new CgroupRef();
        ref.setId(id);
        ref.setPath(path);
        ref.setPathError(pathError);
        return ref;
    }

    private static Operation operation(int op) {
        switch (op) {
            case RecordLayout.OP_PROCS_WRITE: return Operation.PROCS_WRITE;
            case RecordLayout.OP_THREADS_WRITE: return Operation.THREADS_WRITE;
            case RecordLayout.OP_CLONE_INTO_CGROUP: return Operation.CLONE_INTO_CGROUP;
            default: throw new IllegalArgumentException("operation " + op + " passed the decoder's range check");
        }
    }
}
