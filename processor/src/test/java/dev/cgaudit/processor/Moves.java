package dev.cgaudit.processor;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.Target;
import dev.cgaudit.schema.Writer;
import dev.cgaudit.testing.Decisions;
import java.time.Instant;

/** Named decisions for the processor's tests, built on the shared {@link Decisions} fixtures. */
public final class Moves {

    public static final Instant T0 = Decisions.BEGINNING;
    public static final String BOOT = "3f1c2b1e-0000-4000-8000-000000000001";

    private Moves() {
    }

    /** An allowed move on {@code node} (seq-th of its boot) at {@code at}, from {@code source} to {@code destination}, by systemd. */
    public static AttachDecision.Builder move(String node, long seq, Instant at, String source, String destination) {
        return Decisions.allowedProcsWrite()
                .setEventId(node + "/" + BOOT + "/" + seq)
                .setNode(node)
                .setBootId(BOOT)
                .setSeq(seq)
                .setKernelTimeNs(1_000_000_000L + seq)
                .setTimestamp(at)
                .setSource(source == null ? null : CgroupRef.newBuilder().setId(2).setPath(source).build())
                .setDestination(CgroupRef.newBuilder().setId(7).setPath(destination).build());
    }

    /** The same move, done by an unprivileged shell with tgid {@code tgid}. */
    public static AttachDecision.Builder byShell(AttachDecision.Builder move, int tgid) {
        return move.setWriter(Writer.newBuilder()
                .setPid(tgid).setTgid(tgid).setUid(1000).setGid(1000)
                .setComm("bash").setExe("/usr/bin/bash")
                .setCgroupId(9).setCgroupPath("/user.slice/user-1000.slice/session-1.scope")
                .build());
    }

    public static AttachDecision.Builder denied(AttachDecision.Builder move) {
        return move.setOutcome(Outcome.DENIED).setErrno(13).setErrnoName("EACCES");
    }

    public static AttachDecision.Builder target(AttachDecision.Builder move, int tgid) {
        return move.setTarget(Target.newBuilder().setPid(tgid).setTgid(tgid).setComm("worker").build());
    }
}
