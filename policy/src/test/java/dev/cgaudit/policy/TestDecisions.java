package dev.cgaudit.policy;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.Target;
import dev.cgaudit.schema.Writer;
import dev.cgaudit.testing.Decisions;

/**
 * Builders for the decisions the policy tests need, on top of the shared {@link Decisions}
 * fixtures: who writes ({@link #systemd()}, {@link #shell()}, {@link #runc()}), from where and
 * into where, and with what outcome.
 */
public final class TestDecisions {

    private TestDecisions() {
    }

    /** root's systemd (pid 1) moving nginx from /user.slice into /system.slice/nginx.service, allowed. */
    public static AttachDecision.Builder allowed() {
        return AttachDecision.newBuilder(Decisions.allowedProcsWrite().build());
    }

    public static AttachDecision.Builder move(String from, String into) {
        return allowed().setSource(cgroup(from)).setDestination(cgroup(into));
    }

    public static AttachDecision.Builder denied(AttachDecision.Builder decision, int errno, String errnoName) {
        return decision.setOutcome(Outcome.DENIED).setErrno(errno).setErrnoName(errnoName);
    }

    public static CgroupRef cgroup(String path) {
        return CgroupRef.newBuilder().setId(path == null ? 0 : path.hashCode() & 0xFFFF).setPath(path)
                .setPathError(path == null ? "cgroup removed before lookup" : null).build();
    }

    public static Writer systemd() {
        return writer(0, "systemd", "/usr/lib/systemd/systemd", "/init.scope");
    }

    public static Writer shell() {
        return writer(1000, "bash", "/usr/bin/bash", "/user.slice/user-1000.slice/session-2.scope");
    }

    public static Writer runc() {
        return writer(0, "runc", "/usr/bin/runc", "/system.slice/containerd.service");
    }

    public static Writer writer(long uid, String comm, String exe, String cgroupPath) {
        return Writer.newBuilder().setPid(4000).setTgid(4000).setUid(uid).setGid(uid).setComm(comm).setExe(exe)
                .setCgroupId(77).setCgroupPath(cgroupPath).build();
    }

    public static Target target(int tgid) {
        return Target.newBuilder().setPid(tgid).setTgid(tgid).setComm("nginx").build();
    }
}
