package dev.cgaudit.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cgaudit.schema.Topic;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * What a deploy/k8s manifest must hold, as a list of problems; each names the file, the resource
 * and the field (a JSON pointer into the document).
 */
final class ManifestChecks {

    static final String NAMESPACE = "cgaudit";
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace");
    private static final List<String> COLLECTOR_CAPABILITIES =
            List.of("BPF", "PERFMON", "SYS_RESOURCE", "DAC_OVERRIDE", "CHOWN", "FOWNER");
    private static final List<String> COLLECTOR_HOST_PATHS =
            List.of("/sys/fs/cgroup", "/sys/kernel/btf", "/sys/fs/bpf", "/proc", "/var/lib/cgaudit");

    private final String version;
    private final String flinkVersion;
    private final String kafkaVersion;
    private final List<String> problems = new ArrayList<>();

    /** @param versions the build's version.properties: version, flink, kafka */
    ManifestChecks(Properties versions) {
        this.version = versions.getProperty("version");
        this.flinkVersion = versions.getProperty("flink");
        this.kafkaVersion = versions.getProperty("kafka");
    }

    /** Not thread-safe: one check at a time per instance. */
    List<String> check(List<Manifest> manifests) {
        problems.clear();
        for (Manifest m : manifests) {
            common(m);
            switch (m.kind()) {
                case "DaemonSet", "Deployment" -> podTemplate(m);
                case "Kafka" -> kafka(m);
                case "KafkaNodePool" -> require(m, "/metadata/labels/strimzi.io~1cluster", "cgaudit");
                case "KafkaTopic" -> require(m, "/metadata/labels/strimzi.io~1cluster", "cgaudit");
                case "FlinkDeployment" -> flink(m);
                default -> { }
            }
        }
        topics(manifests);
        collector(manifests);
        return List.copyOf(problems);
    }

    private void common(Manifest m) {
        text(m, "/apiVersion");
        text(m, "/kind");
        text(m, "/metadata/name");
        if (!CLUSTER_SCOPED.contains(m.kind())) {
            require(m, "/metadata/namespace", NAMESPACE);
        }
    }

    private void podTemplate(Manifest m) {
        JsonNode pod = m.doc().at("/spec/template/spec");
        if (pod.isMissingNode()) {
            problem(m, "/spec/template/spec", "missing");
            return;
        }
        JsonNode selector = m.doc().at("/spec/selector/matchLabels");
        JsonNode labels = m.doc().at("/spec/template/metadata/labels");
        for (Iterator<Map.Entry<String, JsonNode>> it = selector.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                problem(m, "/spec/template/metadata/labels/" + e.getKey(), "must match the selector's " + e.getValue());
            }
        }
        if (selector.size() == 0) {
            problem(m, "/spec/selector/matchLabels", "missing");
        }
        Set<String> volumes = new HashSet<>();
        pod.path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
        JsonNode containers = pod.path("containers");
        if (containers.size() == 0) {
            problem(m, "/spec/template/spec/containers", "no containers");
        }
        for (int i = 0; i < containers.size(); i++) {
            String at = "/spec/template/spec/containers/" + i;
            JsonNode c = containers.get(i);
            image(m, at + "/image", c.path("image").asText());
            if (c.path("command").size() == 0 && c.path("args").size() == 0) {
                problem(m, at + "/command", "a container needs command or args");
            }
            JsonNode mounts = c.path("volumeMounts");
            for (int j = 0; j < mounts.size(); j++) {
                String name = mounts.get(j).path("name").asText();
                if (!volumes.contains(name)) {
                    problem(m, at + "/volumeMounts/" + j + "/name", "'" + name + "' is not a volume of the pod " + volumes);
                }
            }
        }
    }

    private void kafka(Manifest m) {
        require(m, "/spec/kafka/version", kafkaVersion);
        text(m, "/spec/kafka/listeners/0/port");
    }

    private void flink(Manifest m) {
        String[] parts = flinkVersion.split("\\.");
        require(m, "/spec/flinkVersion", "v" + parts[0] + "_" + parts[1]);
        image(m, "/spec/image", m.doc().at("/spec/image").asText());
        text(m, "/spec/job/jarURI");
        require(m, "/spec/job/args/0", "processor");
        String entry = text(m, "/spec/job/entryClass");
        if (entry != null) {
            try {
                Class.forName(entry, false, ManifestChecks.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                problem(m, "/spec/job/entryClass", "no such class in the distribution: " + entry);
            }
        }
    }

    private void topics(List<Manifest> manifests) {
        Map<String, Manifest> byTopic = new LinkedHashMap<>();
        for (Manifest m : manifests) {
            if (m.kind().equals("KafkaTopic")) {
                byTopic.put(m.doc().at("/spec/topicName").asText(m.name()), m);
            }
        }
        for (Topic topic : Topic.values()) {
            Manifest m = byTopic.get(topic.topicName());
            if (m == null) {
                problems.add("topics.yaml: no KafkaTopic with spec.topicName " + topic.topicName());
                continue;
            }
            JsonNode config = m.doc().at("/spec/config");
            Map<String, String> actual = new LinkedHashMap<>();
            config.fields().forEachRemaining(e -> actual.put(e.getKey(), e.getValue().asText()));
            if (!actual.equals(topic.configs())) {
                problem(m, "/spec/config", "is " + actual + " but dev.cgaudit.schema.Topic says " + topic.configs());
            }
            if (m.doc().at("/spec/partitions").asInt() < 1) {
                problem(m, "/spec/partitions", "must be at least 1");
            }
        }
        for (String name : byTopic.keySet()) {
            try {
                Topic.byName(name);
            } catch (IllegalArgumentException e) {
                problem(byTopic.get(name), "/spec/topicName", e.getMessage());
            }
        }
    }

    private void collector(List<Manifest> manifests) {
        Manifest m = manifests.stream().filter(x -> x.kind().equals("DaemonSet") && x.name().equals("cgaudit-collector"))
                .findFirst().orElse(null);
        if (m == null) {
            problems.add("collector-daemonset.yaml: no DaemonSet cgaudit-collector");
            return;
        }
        JsonNode pod = m.doc().at("/spec/template/spec");
        if (!pod.path("hostPID").asBoolean()) {
            problem(m, "/spec/template/spec/hostPID", "must be true (host pids in /proc)");
        }
        JsonNode c = pod.path("containers").path(0);
        Set<String> added = new HashSet<>();
        c.at("/securityContext/capabilities/add").forEach(cap -> added.add(cap.asText()));
        for (String cap : COLLECTOR_CAPABILITIES) {
            if (!added.contains(cap) && !c.at("/securityContext/privileged").asBoolean()) {
                problem(m, "/spec/template/spec/containers/0/securityContext/capabilities/add", "lacks " + cap);
            }
        }
        Set<String> hostPaths = new HashSet<>();
        pod.path("volumes").forEach(v -> hostPaths.add(v.at("/hostPath/path").asText()));
        for (String path : COLLECTOR_HOST_PATHS) {
            if (!hostPaths.contains(path)) {
                problem(m, "/spec/template/spec/volumes", "no hostPath volume for " + path);
            }
        }
        boolean nodeName = false;
        for (JsonNode env : c.path("env")) {
            nodeName |= env.path("name").asText().equals("NODE_NAME")
                    && env.at("/valueFrom/fieldRef/fieldPath").asText().equals("spec.nodeName");
        }
        if (!nodeName) {
            problem(m, "/spec/template/spec/containers/0/env", "NODE_NAME must come from fieldRef spec.nodeName");
        }
        List<String> args = new ArrayList<>();
        c.path("args").forEach(a -> args.add(a.asText()));
        if (!args.isEmpty() && !args.get(0).equals("collector")) {
            problem(m, "/spec/template/spec/containers/0/args/0", "must be the collector command");
        }
        if (!String.join(" ", args).contains("--node $(NODE_NAME)")) {
            problem(m, "/spec/template/spec/containers/0/args", "must pass --node $(NODE_NAME)");
        }
        if (!String.join(" ", args).contains("--spool /var/lib/cgaudit/spool")) {
            problem(m, "/spec/template/spec/containers/0/args", "must pass --spool /var/lib/cgaudit/spool");
        }
    }

    private void image(Manifest m, String pointer, String image) {
        int colon = image.lastIndexOf(':');
        if (image.isEmpty()) {
            problem(m, pointer, "missing");
        } else if (colon < 0 || !image.substring(colon + 1).equals(version)) {
            problem(m, pointer, "'" + image + "' must be tagged with the project version " + version);
        }
    }

    private String text(Manifest m, String pointer) {
        JsonNode node = m.doc().at(pointer);
        if (node.isMissingNode() || node.isNull() || node.asText().isEmpty()) {
            problem(m, pointer, "missing");
            return null;
        }
        return node.asText();
    }

    private void require(Manifest m, String pointer, String expected) {
        String actual = text(m, pointer);
        if (actual != null && !actual.equals(expected)) {
            problem(m, pointer, "is '" + actual + "', expected '" + expected + "'");
        }
    }

    private void problem(Manifest m, String pointer, String what) {
        problems.add(m.where() + ": " + pointer + " " + what);
    }
}
