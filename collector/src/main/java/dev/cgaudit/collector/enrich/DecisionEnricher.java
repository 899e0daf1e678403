package dev.cgaudit.collector.enrich;

import dev.cgaudit.collector.Errno;

import static dev.cgaudit.collector.decode.RecordLayout.F_PATH_IS_DST;
import static dev.cgaudit.collector.decode.RecordLayout.F_SRC_KNOWN;
import static dev.cgaudit.collector.decode.RecordLayout.F_TARGET_FOUND;
import static dev.cgaudit.collector.decode.RecordLayout.F_TARGET_PARSED;

import dev.cgaudit.collector.decode.RawDecision;
import dev.cgaudit.collector.decode.RecordLayout;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
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
        return AttachDecision.newBuilder()
                .setEventId(node + "/" + bootId + "/" + seq)
                .setNode(node)
                .setBootId(bootId)
                .setSeq(seq)
                .setKernelTimeNs(raw.ktimeNs())
                .setTimestamp(clock.toInstant(raw.ktimeNs()))
                .setOperation(operation(raw.op()))
                .setWriter(writer(raw))
                .setTarget(target(raw))
                .setSource(raw.has(F_SRC_KNOWN) ? cgroup(raw.srcCgroupId()) : null)
                .setDestination(destination(raw))
                .setOutcome(raw.allowed() ? Outcome.ALLOWED : Outcome.DENIED)
                .setErrno(raw.errno())
                .setErrnoName(Errno.name(raw.errno()))
                .setEnforcement(null)
                .setCollectorVersion(collectorVersion)
                .build();
    }

    private Writer writer(RawDecision raw) {
        CgroupPathResolver.Resolution cgroup = cgroups.pathOf(raw.writerCgroupId());
        return Writer.newBuilder()
                .setPid(raw.writerPid())
                .setTgid(raw.writerTgid())
                .setUid(raw.writerUid())
                .setGid(raw.writerGid())
                .setComm(raw.writerComm())
                .setExe(processes.exe(raw.writerTgid()).orElse(null))
                .setCgroupId(raw.writerCgroupId())
                .setCgroupPath(cgroup.path())
                .build();
    }

    private static Target target(RawDecision raw) {
        switch (raw.stage()) {
            case RecordLayout.STAGE_OPEN:
                return null; // denied at open: nothing was written, so there is no target yet
            case RecordLayout.STAGE_CLONE3:
                // The child exists only when clone3 succeeded; it starts as a copy of the writer.
                return raw.allowed()
                        ? Target.newBuilder().setPid(raw.targetPid()).setTgid(raw.targetPid())
                                .setComm(raw.writerComm()).build()
                        : null;
            default:
                if (!raw.has(F_TARGET_PARSED)) {
                    return null; // the text written was not a pid (EINVAL)
                }
                boolean found = raw.has(F_TARGET_FOUND);
                return Target.newBuilder()
                        .setPid(raw.targetPid())
                        .setTgid(found ? raw.targetTgid() : null)
                        .setComm(found ? raw.targetComm() : null)
                        .build();
        }
    }

    private CgroupRef destination(RawDecision raw) {
        if (raw.has(F_PATH_IS_DST) && !raw.path().isEmpty()) {
            cgroups.learn(raw.dstCgroupId(), raw.path());
            return CgroupRef.newBuilder().setId(raw.dstCgroupId()).setPath(raw.path()).build();
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
            return CgroupRef.newBuilder().setId(0).setPath(null)
                    .setPathError("open of '" + raw.path() + "' by pid " + raw.writerTgid()
                            + ": its working directory or dirfd is gone")
                    .build();
        }
        Path directory = base.get().resolve(name).normalize().getParent();
        OptionalLong id = directory == null ? OptionalLong.empty() : cgroups.idOf(directory);
        Optional<String> path = directory == null ? Optional.empty() : cgroups.relativePath(directory);
        if (id.isEmpty() || path.isEmpty()) {
            return CgroupRef.newBuilder().setId(0).setPath(null)
                    .setPathError("'" + base.get().resolve(name) + "' is not a cgroup on " + cgroups.mount())
                    .build();
        }
        return CgroupRef.newBuilder().setId(id.getAsLong()).setPath(path.get()).build();
    }

    private CgroupRef cgroup(long id) {
        CgroupPathResolver.Resolution r = cgroups.pathOf(id);
        return CgroupRef.newBuilder().setId(id).setPath(r.path()).setPathError(r.error()).build();
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
