package dev.cgaudit.policy.cel;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Timestamp;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.Enforcement;
import dev.cgaudit.schema.Target;
import dev.cgaudit.schema.Writer;

/**
 * An {@link AttachDecision} in the shape CEL evaluates ({@link DecisionSchema}). Convert a decision
 * once and evaluate every rule's condition against the result; the conversion copies a few dozen
 * fields and allocates one message per nested record.
 *
 * <p>Null Avro values are left unset, so {@code has(...)} is false for them and reading them gives
 * the type's zero value ("" or 0).
 */
public final class CelDecision {

    private static final Fields D = new Fields(DecisionSchema.DECISION);
    private static final Fields W = new Fields(DecisionSchema.WRITER);
    private static final Fields T = new Fields(DecisionSchema.TARGET);
    private static final Fields C = new Fields(DecisionSchema.CGROUP_REF);
    private static final Fields E = new Fields(DecisionSchema.ENFORCEMENT);

    private final DynamicMessage message;

    private CelDecision(DynamicMessage message) {
        this.message = message;
    }

    public static CelDecision of(AttachDecision decision) {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(DecisionSchema.DECISION);
        D.set(b, "eventId", decision.getEventId());
        D.set(b, "node", decision.getNode());
        D.set(b, "bootId", decision.getBootId());
        D.set(b, "seq", decision.getSeq());
        D.set(b, "kernelTimeNs", decision.getKernelTimeNs());
        if (decision.getTimestamp() != null) {
            D.set(b, "timestamp", timestamp(decision.getTimestamp().getEpochSecond(), decision.getTimestamp().getNano()));
        }
        D.set(b, "operation", decision.getOperation() == null ? null : decision.getOperation().name());
        D.set(b, "writer", writer(decision.getWriter()));
        D.set(b, "target", target(decision.getTarget()));
        D.set(b, "source", cgroup(decision.getSource()));
        D.set(b, "destination", cgroup(decision.getDestination()));
        D.set(b, "outcome", decision.getOutcome() == null ? null : decision.getOutcome().name());
        D.set(b, "errno", decision.getErrno());
        D.set(b, "errnoName", decision.getErrnoName());
        D.set(b, "enforcement", enforcement(decision.getEnforcement()));
        D.set(b, "collectorVersion", decision.getCollectorVersion());
        return new CelDecision(b.build());
    }

    DynamicMessage message() {
        return message;
    }

    private static Timestamp timestamp(long seconds, int nanos) {
        return Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build();
    }

    private static DynamicMessage writer(Writer w) {
        if (w == null) {
            return null;
        }
        DynamicMessage.Builder b = DynamicMessage.newBuilder(DecisionSchema.WRITER);
        W.set(b, "pid", w.getPid());
        W.set(b, "tgid", w.getTgid());
        W.set(b, "uid", w.getUid());
        W.set(b, "gid", w.getGid());
        W.set(b, "comm", w.getComm());
        W.set(b, "exe", w.getExe());
        W.set(b, "cgroupId", w.getCgroupId());
        W.set(b, "cgroupPath", w.getCgroupPath());
        return b.build();
    }

    private static DynamicMessage target(Target t) {
        if (t == null) {
            return null;
        }
        DynamicMessage.Builder b = DynamicMessage.newBuilder(DecisionSchema.TARGET);
        T.set(b, "pid", t.getPid());
        T.set(b, "tgid", t.getTgid());
        T.set(b, "comm", t.getComm());
        return b.build();
    }

    private static DynamicMessage cgroup(CgroupRef c) {
        if (c == null) {
            return null;
        }
        DynamicMessage.Builder b = DynamicMessage.newBuilder(DecisionSchema.CGROUP_REF);
        C.set(b, "id", c.getId());
        C.set(b, "path", c.getPath());
        C.set(b, "pathError", c.getPathError());
        return b.build();
    }

    private static DynamicMessage enforcement(Enforcement e) {
        if (e == null) {
            return null;
        }
        DynamicMessage.Builder b = DynamicMessage.newBuilder(DecisionSchema.ENFORCEMENT);
        E.set(b, "ruleId", e.getRuleId());
        E.set(b, "ruleVersion", e.getRuleVersion());
        E.set(b, "backend", e.getBackend());
        return b.build();
    }

    /** Sets the fields of one message type by name; a null (absent in Avro) stays unset so has() is false. */
    private static final class Fields {
        private final Descriptor type;

        Fields(Descriptor type) {
            this.type = type;
        }

        void set(DynamicMessage.Builder b, String name, Object value) {
            if (value == null) {
                return;
            }
            FieldDescriptor field = type.findFieldByName(name);
            if (field == null) {
                throw new IllegalStateException("no field " + name + " in " + type.getFullName());
            }
            b.setField(field, value instanceof CharSequence cs ? cs.toString() : value);
        }
    }
}
