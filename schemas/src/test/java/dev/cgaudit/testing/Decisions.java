package dev.cgaudit.testing;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.Enforcement;
import dev.cgaudit.schema.Operation;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.Target;
import dev.cgaudit.schema.Writer;
import java.time.Instant;

/**
 * Named AttachDecision fixtures for tests across modules (shared through the schemas test-jar).
 * Timestamps are whole microseconds, as the wire keeps them.
 */
public final class Decisions {

    /** A fixed instant to build timelines from. */
    public static final Instant BEGINNING = Instant.parse("2026-11-28T10:00:00Z");

    private Decisions() {
    }

    /** root's systemd moving a process into system.slice, allowed. */
    public static AttachDecision.Builder allowedProcsWrite() {
        return AttachDecision.newBuilder()
                .setEventId("node-a/3f1c2b1e-0000-4000-8000-000000000001/0")
                .setNode("node-a")
                .setBootId("3f1c2b1e-0000-4000-8000-000000000001")
                .setSeq(0)
                .setKernelTimeNs(1_000_000_000L)
                .setTimestamp(BEGINNING)
                .setOperation(Operation.PROCS_WRITE)
                .setWriter(Writer.newBuilder()
                        .setPid(1).setTgid(1).setUid(0).setGid(0)
                        .setComm("systemd").setExe("/usr/lib/systemd/systemd")
                        .setCgroupId(1).setCgroupPath("/init.scope")
                        .build())
                .setTarget(Target.newBuilder().setPid(4242).setTgid(4242).setComm("nginx").build())
                .setSource(CgroupRef.newBuilder().setId(2).setPath("/user.slice").build())
                .setDestination(CgroupRef.newBuilder().setId(7).setPath("/system.slice/nginx.service").build())
                .setOutcome(Outcome.ALLOWED)
                .setErrno(0)
                .setErrnoName(null)
                .setEnforcement(null)
                .setCollectorVersion("0.1.0");
    }

    /** An unprivileged shell denied at open of cgroup.procs: no target, no source known. */
    public static AttachDecision.Builder deniedAtOpen() {
        return allowedProcsWrite()
                .setEventId("node-a/3f1c2b1e-0000-4000-8000-000000000001/1")
                .setSeq(1)
                .setKernelTimeNs(2_000_000_000L)
                .setTimestamp(BEGINNING.plusSeconds(1))
                .setWriter(Writer.newBuilder()
                        .setPid(5000).setTgid(5000).setUid(1000).setGid(1000)
                        .setComm("bash").setExe(null)
                        .setCgroupId(9).setCgroupPath(null)
                        .build())
                .setTarget(null)
                .setSource(null)
                .setDestination(CgroupRef.newBuilder().setId(7).setPath(null)
                        .setPathError("cgroup removed before lookup").build())
                .setOutcome(Outcome.DENIED)
                .setErrno(13)
                .setErrnoName("EACCES");
    }

    /** A clone3(CLONE_INTO_CGROUP) the dac enforcer denied on behalf of a rule. */
    public static AttachDecision.Builder enforcedClone() {
        return deniedAtOpen()
                .setEventId("node-a/3f1c2b1e-0000-4000-8000-000000000001/2")
                .setSeq(2)
                .setOperation(Operation.CLONE_INTO_CGROUP)
                .setEnforcement(Enforcement.newBuilder()
                        .setRuleId("system-slice-managers").setRuleVersion(3).setBackend("dac").build());
    }
}
