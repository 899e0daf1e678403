package dev.cgaudit.sink.ocsf;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.Severity;
import dev.cgaudit.schema.ViolationKind;
import dev.cgaudit.schema.Writer;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Maps a {@link PolicyViolation} to an OCSF Detection Finding (class 2004, OCSF {@value #OCSF_VERSION}),
 * optionally enriched with the {@link AttachDecision}s it rests on. The mapping table is in
 * {@code sink/README.md}; {@code OcsfDetectionFindingTest} validates the output against a JSON
 * Schema of the class.
 *
 * <p>The output is a pure function of its input (no wall clock, no random ids): a violation
 * delivered twice yields byte-identical findings, so receivers can dedupe by {@code finding_info.uid}.
 */
public final class OcsfDetectionFinding {

    /** The OCSF schema version the findings conform to, as written to {@code metadata.version}. */
    public static final String OCSF_VERSION = "1.3.0";

    public static final int CLASS_UID = 2004;
    public static final int CATEGORY_UID = 2;
    public static final int ACTIVITY_CREATE = 1;
    /** type_uid = class_uid * 100 + activity_id, as OCSF defines it. */
    public static final long TYPE_UID = CLASS_UID * 100L + ACTIVITY_CREATE;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** device.type_id 0: a node may be a server, a VM or a laptop; cgaudit cannot tell. */
    private static final int DEVICE_TYPE_UNKNOWN = 0;
    private static final int FILE_TYPE_REGULAR = 1;
    private static final int ANALYTIC_TYPE_RULE = 1;
    private static final int STATUS_NEW = 1;

    private final String productVersion;

    /** @param productVersion cgaudit's version, for {@code metadata.product.version} */
    public OcsfDetectionFinding(String productVersion) {
        this.productVersion = Objects.requireNonNull(productVersion, "productVersion");
    }

    /** The finding without decision details: evidences carry each decision's id and outcome only. */
    public ObjectNode map(PolicyViolation violation) {
        return map(violation, Map.of());
    }

    /**
     * The finding, with the decisions found in {@code decisionsById} (keyed by eventId) spelled out
     * in its evidences and the first one's writer as the actor. Decisions not found there still
     * appear as evidence by id and outcome.
     */
    public ObjectNode map(PolicyViolation violation, Map<String, AttachDecision> decisionsById) {
        ObjectNode f = NODES.objectNode();
        f.put("activity_id", ACTIVITY_CREATE);
        f.put("activity_name", "Create");
        f.put("category_uid", CATEGORY_UID);
        f.put("category_name", "Findings");
        f.put("class_uid", CLASS_UID);
        f.put("class_name", "Detection Finding");
        f.put("type_uid", TYPE_UID);
        f.put("type_name", "Detection Finding: Create");
        f.put("severity_id", severityId(violation.getSeverity()));
        f.put("severity", severityCaption(violation.getSeverity()));
        f.put("status_id", STATUS_NEW);
        f.put("status", "New");
        // lastSeen, not the wall clock: the same violation must give the same finding on redelivery.
        f.put("time", millis(violation.getLastSeen()));
        f.put("count", violation.getCount());
        f.put("message", title(violation) + ": " + violation.getExplanation());
        f.set("metadata", metadata(violation));
        f.set("finding_info", findingInfo(violation));

        List<String> nodes = violation.getNodes();
        if (!nodes.isEmpty()) {
            f.set("device", device(nodes.get(0)));
        }
        AttachDecision first = firstKnown(violation, decisionsById);
        if (first != null) {
            ObjectNode actor = f.putObject("actor");
            actor.set("process", process(first.getWriter()));
        }
        f.set("evidences", evidences(violation, decisionsById));
        f.set("unmapped", unmapped(violation, decisionsById));
        return f;
    }

    /** The finding's title: what was found, and by which rule. */
    public static String title(PolicyViolation violation) {
        return kindTitle(violation.getKind()) + " (rule " + violation.getRuleId() + ")";
    }

    static int severityId(Severity severity) {
        switch (severity) {
            case INFO: return 1;
            case LOW: return 2;
            case MEDIUM: return 3;
            case HIGH: return 4;
            case CRITICAL: return 5;
            default: return 0;
        }
    }

    private static String severityCaption(Severity severity) {
        switch (severity) {
            case INFO: return "Informational";
            case LOW: return "Low";
            case MEDIUM: return "Medium";
            case HIGH: return "High";
            case CRITICAL: return "Critical";
            default: return "Unknown";
        }
    }

    private static String kindTitle(ViolationKind kind) {
        switch (kind) {
            case UNAUTHORIZED_MIGRATION: return "Unauthorized cgroup migration";
            case SUBTREE_ESCAPE: return "Process moved out of a protected cgroup subtree";
            case DENIAL_BURST: return "Burst of denied cgroup migrations";
            case CHURN: return "cgroup migration churn";
            case ENFORCEMENT_BYPASS: return "Enforce rule bypassed: the kernel allowed a forbidden migration";
            case ENFORCEMENT_DEGRADED: return "Node cannot enforce a rule";
            case MODE_DOWNGRADE: return "Rule switched from enforce to audit";
            case COLLECTOR_LOSS: return "Collector lost decisions";
            default:
                // A kind added to the schema after this build: still a readable title.
                String words = kind.name().toLowerCase(Locale.ROOT).replace('_', ' ');
                return Character.toUpperCase(words.charAt(0)) + words.substring(1);
        }
    }

    private ObjectNode metadata(PolicyViolation violation) {
        ObjectNode metadata = NODES.objectNode();
        metadata.put("version", OCSF_VERSION);
        metadata.put("uid", violation.getViolationId());
        metadata.put("log_name", "cgaudit.violations");
        // device and actor come with the host profile
        metadata.putArray("profiles").add("host");
        ObjectNode product = metadata.putObject("product");
        product.put("name", "cgaudit");
        product.put("vendor_name", "cgaudit");
        product.put("version", productVersion);
        return metadata;
    }

    private static ObjectNode findingInfo(PolicyViolation violation) {
        ObjectNode info = NODES.objectNode();
        info.put("uid", violation.getViolationId());
        info.put("title", title(violation));
        info.put("desc", violation.getExplanation());
        info.putArray("types").add(violation.getKind().name());
        info.put("first_seen_time", millis(violation.getFirstSeen()));
        info.put("last_seen_time", millis(violation.getLastSeen()));
        ObjectNode analytic = info.putObject("analytic");
        analytic.put("type_id", ANALYTIC_TYPE_RULE);
        analytic.put("type", "Rule");
        analytic.put("uid", violation.getRuleId());
        analytic.put("name", violation.getRuleId());
        analytic.put("version", Long.toString(violation.getRuleVersion()));
        return info;
    }

    private static ObjectNode device(String node) {
        ObjectNode device = NODES.objectNode();
        device.put("hostname", node);
        device.put("type_id", DEVICE_TYPE_UNKNOWN);
        device.put("type", "Unknown");
        return device;
    }

    private static ObjectNode process(Writer writer) {
        ObjectNode process = NODES.objectNode();
        process.put("pid", writer.getTgid());
        process.put("tid", writer.getPid());
        process.put("name", writer.getComm());
        if (writer.getExe() != null) {
            ObjectNode file = process.putObject("file");
            file.put("path", writer.getExe());
            file.put("name", baseName(writer.getExe()));
            file.put("type_id", FILE_TYPE_REGULAR);
            file.put("type", "Regular File");
        }
        process.putObject("user").put("uid", Long.toString(writer.getUid()));
        return process;
    }

    private static ArrayNode evidences(PolicyViolation violation, Map<String, AttachDecision> decisionsById) {
        ArrayNode evidences = NODES.arrayNode();
        List<String> ids = violation.getDecisionIds();
        List<Outcome> outcomes = violation.getOutcomes();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            ObjectNode evidence = evidences.addObject();
            ObjectNode data = evidence.putObject("data");
            data.put("eventId", id);
            if (i < outcomes.size()) {
                data.put("outcome", outcomes.get(i).name());
            }
            AttachDecision decision = decisionsById.get(id);
            if (decision != null) {
                describe(decision, evidence, data);
            }
        }
        return evidences;
    }

    /** The decision in the evidence: writer as actor, node as device, target as process, the rest as data. */
    private static void describe(AttachDecision d, ObjectNode evidence, ObjectNode data) {
        evidence.putObject("actor").set("process", process(d.getWriter()));
        evidence.set("device", device(d.getNode()));
        if (d.getTarget() != null) {
            ObjectNode target = evidence.putObject("process");
            target.put("pid", d.getTarget().getTgid() != null ? d.getTarget().getTgid() : d.getTarget().getPid());
            target.put("tid", d.getTarget().getPid());
            if (d.getTarget().getComm() != null) {
                target.put("name", d.getTarget().getComm());
            }
        }
        data.put("outcome", d.getOutcome().name());
        data.put("timestamp", d.getTimestamp().toString());
        data.put("operation", d.getOperation().name());
        data.put("errno", d.getErrno());
        if (d.getErrnoName() != null) {
            data.put("errnoName", d.getErrnoName());
        }
        data.put("writerGid", d.getWriter().getGid());
        data.put("writerCgroupId", d.getWriter().getCgroupId());
        if (d.getWriter().getCgroupPath() != null) {
            data.put("writerCgroupPath", d.getWriter().getCgroupPath());
        }
        if (d.getSource() != null) {
            data.set("source", cgroup(d.getSource()));
        }
        data.set("destination", cgroup(d.getDestination()));
        if (d.getEnforcement() != null) {
            ObjectNode enforcement = data.putObject("enforcement");
            enforcement.put("ruleId", d.getEnforcement().getRuleId());
            enforcement.put("ruleVersion", d.getEnforcement().getRuleVersion());
            enforcement.put("backend", d.getEnforcement().getBackend());
        }
    }

    private static ObjectNode cgroup(CgroupRef ref) {
        ObjectNode node = NODES.objectNode();
        node.put("id", ref.getId());
        if (ref.getPath() != null) {
            node.put("path", ref.getPath());
        }
        if (ref.getPathError() != null) {
            node.put("pathError", ref.getPathError());
        }
        return node;
    }

    private static ObjectNode unmapped(PolicyViolation v, Map<String, AttachDecision> decisionsById) {
        ObjectNode unmapped = NODES.objectNode();
        unmapped.put("ruleVersion", v.getRuleVersion());
        if (v.getMode() != null) {
            unmapped.put("mode", v.getMode().name());
        }
        if (v.getSubtree() != null) {
            unmapped.put("subtree", v.getSubtree());
        }
        ArrayNode nodes = unmapped.putArray("nodes");
        v.getNodes().forEach(nodes::add);
        ArrayNode ids = unmapped.putArray("decisionIds");
        v.getDecisionIds().forEach(ids::add);
        ArrayNode outcomes = unmapped.putArray("outcomes");
        v.getOutcomes().forEach(o -> outcomes.add(o.name()));
        long known = v.getDecisionIds().stream().filter(decisionsById::containsKey).count();
        // tells the SOC whether evidence details are missing on purpose or because no decision was at hand
        unmapped.put("decisionsDescribed", known);
        return unmapped;
    }

    private static AttachDecision firstKnown(PolicyViolation violation, Map<String, AttachDecision> decisionsById) {
        for (String id : violation.getDecisionIds()) {
            AttachDecision d = decisionsById.get(id);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    private static long millis(Instant instant) {
        return instant.toEpochMilli();
    }

    private static String baseName(String path) {
        int slash = path.lastIndexOf('/');
        return slash >= 0 && slash < path.length() - 1 ? path.substring(slash + 1) : path;
    }
}
