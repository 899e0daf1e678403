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

    // Field descriptors resolved once: conversion runs per decision on the processor's hot path.
    private static final FieldDescriptor EVENT_ID = field(DecisionSchema.DECISION, "eventId");
    private static final FieldDescriptor NODE = field(DecisionSchema.DECISION, "node");
    private static final FieldDescriptor BOOT_ID = field(DecisionSchema.DECISION, "bootId");
    private static final FieldDescriptor SEQ = field(DecisionSchema.DECISION, "seq");
    private static final FieldDescriptor KERNEL_TIME_NS = field(DecisionSchema.DECISION, "kernelTimeNs");
    private static final FieldDescriptor TIMESTAMP = field(DecisionSchema.DECISION, "timestamp");
    private static final FieldDescriptor OPERATION = field(DecisionSchema.DECISION, "operation");
    private static final FieldDescriptor WRITER = field(DecisionSchema.DECISION, "writer");
    private static final FieldDescriptor TARGET = field(DecisionSchema.DECISION, "target");
    private static final FieldDescriptor SOURCE = field(DecisionSchema.DECISION, "source");
    private static final FieldDescriptor DESTINATION = field(DecisionSchema.DECISION, "destination");
    private static final FieldDescriptor OUTCOME = field(DecisionSchema.DECISION, "outcome");
    private static final FieldDescriptor ERRNO = field(DecisionSchema.DECISION, "errno");
    private static final FieldDescriptor ERRNO_NAME = field(DecisionSchema.DECISION, "errnoName");
    private static final FieldDescriptor ENFORCEMENT = field(DecisionSchema.DECISION, "enforcement");
    private static final FieldDescriptor COLLECTOR_VERSION = field(DecisionSchema.DECISION, "collectorVersion");
    private static final FieldDescriptor W_PID = field(DecisionSchema.WRITER, "pid");
    private static final FieldDescriptor W_TGID = field(DecisionSchema.WRITER, "tgid");
    private static final FieldDescriptor W_UID = field(DecisionSchema.WRITER, "uid");
    private static final FieldDescriptor W_GID = field(DecisionSchema.WRITER, "gid");
    private static final FieldDescriptor W_COMM = field(DecisionSchema.WRITER, "comm");
    private static final FieldDescriptor W_EXE = field(DecisionSchema.WRITER, "exe");
    private static final FieldDescriptor W_CGROUP_ID = field(DecisionSchema.WRITER, "cgroupId");
    private static final FieldDescriptor W_CGROUP_PATH = field(DecisionSchema.WRITER, "cgroupPath");
    private static final FieldDescriptor T_PID = field(DecisionSchema.TARGET, "pid");
    private static final FieldDescriptor T_TGID = field(DecisionSchema.TARGET, "tgid");
    private static final FieldDescriptor T_COMM = field(DecisionSchema.TARGET, "comm");
    private static final FieldDescriptor C_ID = field(DecisionSchema.CGROUP_REF, "id");
    private static final FieldDescriptor C_PATH = field(DecisionSchema.CGROUP_REF, "path");
    private static final FieldDescriptor C_PATH_ERROR = field(DecisionSchema.CGROUP_REF, "pathError");
    private static final FieldDescriptor E_RULE_ID = field(DecisionSchema.ENFORCEMENT, "ruleId");
    private static final FieldDescriptor E_RULE_VERSION = field(DecisionSchema.ENFORCEMENT, "ruleVersion");
    private static final FieldDescriptor E_BACKEND = field(DecisionSchema.ENFORCEMENT, "backend");

    private final DynamicMessage message;

    private CelDecision(DynamicMessage message) {
        this.message = message;
    }

    public static CelDecision of(AttachDecision decision) {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(DecisionSchema.DECISION);
        set(b, EVENT_ID, decision.getEventId());
        set(b, NODE, decision.getNode());
        set(b, BOOT_ID, decision.getBootId());
        set(b, SEQ, decision.getSeq());
        set(b, KERNEL_TIME_NS, decision.getKernelTimeNs());
        if (decision.getTimestamp() != null) {
            set(b, TIMESTAMP, timestamp(decision.getTimestamp().getEpochSecond(), decision.getTimestamp().getNano()));
        }
        set(b, OPERATION, decision.getOperation() == null ? null : decision.getOperation().name());
        set(b, WRITER, writer(decision.getWriter()));
        set(b, TARGET, target(decision.getTarget()));
        set(b, SOURCE, cgroup(decision.getSource()));
        set(b, DESTINATION, cgroup(decision.getDestination()));
        set(b, OUTCOME, decision.getOutcome() == null ? null : decision.getOutcome().name());
        set(b, ERRNO, decision.getErrno());
        set(b, ERRNO_NAME, decision.getErrnoName());
        set(b, ENFORCEMENT, enforcement(decision.getEnforcement()));
        set(b, COLLECTOR_VERSION, decision.getCollectorVersion());
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
        set(b, W_PID, w.getPid());
        set(b, W_TGID, w.getTgid());
        set(b, W_UID, w.getUid());
        set(b, W_GID, w.getGid());
        set(b, W_COMM, w.getComm());
        set(b, W_EXE, w.getExe());
        set(b, W_CGROUP_ID, w.getCgroupId());
        set(b, W_CGROUP_PATH, w.getCgroupPath());
        return b.build();
    }

    private static DynamicMessage target(Target t) {
        if (t == null) {
            return null;
        }
        DynamicMessage.Builder b = DynamicMessage.newBuilder(DecisionSchema.TARGET);
        set(b, T_PID, t.getPid());
        set(b, T_TGID, t.getTgid());
        set(b, T_COMM, t.getComm());
        return b.build();
    }

    private static DynamicMessage cgroup(CgroupRef c) {
        if (c == null) {
            return null;
        }
        DynamicMessage.Builder b = DynamicMessage.newBuilder(DecisionSchema.CGROUP_REF);
        set(b, C_ID, c.getId());
        set(b, C_PATH, c.getPath());
        set(b, C_PATH_ERROR, c.getPathError());
        return b.build();
    }

    private static DynamicMessage enforcement(Enforcement e) {
        if (e == null) {
            return null;
        }
        DynamicMessage.Builder b = DynamicMessage.newBuilder(DecisionSchema.ENFORCEMENT);
        set(b, E_RULE_ID, e.getRuleId());
        set(b, E_RULE_VERSION, e.getRuleVersion());
        set(b, E_BACKEND, e.getBackend());
        return b.build();
    }

    /** Sets a field; a null (absent in Avro) stays unset, so has() is false for it. */
    private static void set(DynamicMessage.Builder b, FieldDescriptor field, Object value) {
        if (value != null) {
            b.setField(field, value instanceof CharSequence cs ? cs.toString() : value);
        }
    }

    private static FieldDescriptor field(Descriptor type, String name) {
        FieldDescriptor field = type.findFieldByName(name);
        if (field == null) {
            throw new IllegalStateException("no field " + name + " in " + type.getFullName());
        }
        return field;
    }
}
