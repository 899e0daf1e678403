package dev.cgaudit.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Parses every manifest of deploy/k8s and checks what each kind must hold, and versions against the build. */
class ManifestsTest {

    private static final Path K8S = Path.of("k8s");
    private static List<Manifest> manifests;
    private static ManifestChecks checks;

    @BeforeAll
    static void load() throws IOException {
        assertThat(K8S).as("run from the deploy module").isDirectory();
        manifests = Manifest.loadAll(K8S);
        Properties versions = new Properties();
        try (InputStream in = ManifestsTest.class.getResourceAsStream("/dev/cgaudit/cli/version.properties")) {
            versions.load(in);
        }
        assertThat(versions.getProperty("version")).doesNotContain("${");
        checks = new ManifestChecks(versions);
    }

    @Test
    void everyManifestHoldsWhatItsKindNeeds() {
        assertThat(checks.check(manifests)).isEmpty();
    }

    @Test
    void theFleetIsComplete() {
        assertThat(manifests.stream().map(m -> m.kind() + " " + m.name()).collect(Collectors.toList()))
                .contains("Namespace cgaudit", "Kafka cgaudit", "KafkaNodePool dual-role",
                        "KafkaTopic cgaudit-decisions", "KafkaTopic cgaudit-policy", "KafkaTopic cgaudit-violations",
                        "KafkaTopic cgaudit-status", "DaemonSet cgaudit-collector", "FlinkDeployment cgaudit-processor",
                        "Deployment cgaudit-sink", "Deployment cgaudit-archive");
        assertThat(Path.of("k8s", "Containerfile")).isRegularFile();
        assertThat(Path.of("k8s", "README.md")).isRegularFile();
    }

    @Test
    void theSinkRunsTheContractCommand() {
        Manifest sink = find("Deployment", "cgaudit-sink");
        List<String> args = texts((ArrayNode) sink.doc().at("/spec/template/spec/containers/0/args"));
        assertThat(String.join(" ", args)).startsWith("sink --format ocsf").contains("--to file:").contains("--dead-letter");
        Manifest archive = find("Deployment", "cgaudit-archive");
        assertThat(texts((ArrayNode) archive.doc().at("/spec/template/spec/containers/0/args"))).contains("--archive");
    }

    @Test
    void aMountOfAnUndefinedVolumeIsNamedByFileAndField() {
        assertThat(broken("DaemonSet", "cgaudit-collector", doc -> ((ObjectNode) doc.at(
                "/spec/template/spec/containers/0/volumeMounts/0")).put("name", "cgroupz")))
                .anySatisfy(p -> assertThat(p).startsWith("collector-daemonset.yaml (DaemonSet cgaudit-collector): "
                        + "/spec/template/spec/containers/0/volumeMounts/0/name 'cgroupz' is not a volume"));
    }

    @Test
    void aTopicConfigThatDriftsFromTopicIsNamed() {
        assertThat(broken("KafkaTopic", "cgaudit-policy", doc -> ((ObjectNode) doc.at("/spec/config"))
                .put("cleanup.policy", "delete")))
                .anySatisfy(p -> assertThat(p).startsWith("topics.yaml (KafkaTopic cgaudit-policy): /spec/config is"));
    }

    @Test
    void versionsThatDriftFromThePomAreNamed() {
        assertThat(broken("FlinkDeployment", "cgaudit-processor", doc -> ((ObjectNode) doc.at("/spec"))
                .put("flinkVersion", "v1_20"))).anySatisfy(p -> assertThat(p).contains("/spec/flinkVersion is 'v1_20'"));
        assertThat(broken("Deployment", "cgaudit-sink", doc -> ((ObjectNode) doc.at("/spec/template/spec/containers/0"))
                .put("image", "cgaudit/cgaudit:latest"))).anySatisfy(p -> assertThat(p)
                .contains("/spec/template/spec/containers/0/image 'cgaudit/cgaudit:latest' must be tagged"));
        assertThat(broken("Kafka", "cgaudit", doc -> ((ObjectNode) doc.at("/spec/kafka")).put("version", "3.9.0")))
                .anySatisfy(p -> assertThat(p).contains("/spec/kafka/version is '3.9.0'"));
    }

    @Test
    void aCollectorWithoutItsCapabilitiesIsRejected() {
        assertThat(broken("DaemonSet", "cgaudit-collector", doc -> ((ArrayNode) doc.at(
                "/spec/template/spec/containers/0/securityContext/capabilities/add")).removeAll()))
                .anySatisfy(p -> assertThat(p).endsWith("capabilities/add lacks BPF"));
    }

    /** The problems found after {@code change} was applied to a copy of one manifest. */
    private static List<String> broken(String kind, String name, Consumer<ObjectNode> change) {
        List<Manifest> copy = manifests.stream().map(Manifest::copy).collect(Collectors.toList());
        Manifest target = copy.stream().filter(m -> m.kind().equals(kind) && m.name().equals(name)).findFirst().orElseThrow();
        change.accept(target.doc());
        return checks.check(copy);
    }

    private static Manifest find(String kind, String name) {
        return manifests.stream().filter(m -> m.kind().equals(kind) && m.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<String> texts(ArrayNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
