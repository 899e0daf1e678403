package dev.cgaudit.sink.ocsf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.Severity;
import dev.cgaudit.schema.ViolationKind;
import dev.cgaudit.sink.testing.Violations;
import dev.cgaudit.testing.Decisions;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class OcsfDetectionFindingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final OcsfDetectionFinding mapper = new OcsfDetectionFinding("0.1.0-test");

    @Test
    void classificationAndIdentityFollowTheClass() {
        ObjectNode f = mapper.map(Violations.unauthorizedMigration().build());

        assertThat(f.get("class_uid").asInt()).isEqualTo(2004);
        assertThat(f.get("category_uid").asInt()).isEqualTo(2);
        assertThat(f.get("activity_id").asInt()).isEqualTo(1);
        assertThat(f.get("type_uid").asLong()).isEqualTo(200401);
        assertThat(f.at("/finding_info/uid").asText()).isEqualTo("v-1f3a9c0e5b7d2468");
        assertThat(f.at("/finding_info/title").asText())
                .isEqualTo("Unauthorized cgroup migration (rule system-slice-managers)");
        assertThat(f.at("/finding_info/analytic/uid").asText()).isEqualTo("system-slice-managers");
        assertThat(f.at("/finding_info/analytic/version").asText()).isEqualTo("3");
        assertThat(f.at("/metadata/version").asText()).isEqualTo(OcsfDetectionFinding.OCSF_VERSION);
        assertThat(f.at("/metadata/product/name").asText()).isEqualTo("cgaudit");
        assertThat(f.at("/metadata/product/version").asText()).isEqualTo("0.1.0-test");
        assertThat(f.get("time").asLong()).isEqualTo(Decisions.BEGINNING.plusSeconds(1).toEpochMilli());
        assertThat(f.at("/device/hostname").asText()).isEqualTo("node-a");
    }

    @ParameterizedTest
    @EnumSource(Severity.class)
    void severityIdFollowsTheSeverity(Severity severity) {
        int expected = switch (severity) {
            case INFO -> 1;
            case LOW -> 2;
            case MEDIUM -> 3;
            case HIGH -> 4;
            case CRITICAL -> 5;
        };
        ObjectNode f = mapper.map(Violations.unauthorizedMigration().setSeverity(severity).build());
        assertThat(f.get("severity_id").asInt()).isEqualTo(expected);
        assertThat(OcsfSchema.errors(f)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(ViolationKind.class)
    void everyKindMapsToAValidFindingWithItsOwnTitle(ViolationKind kind) {
        ObjectNode f = mapper.map(Violations.unauthorizedMigration().setKind(kind).build());
        assertThat(OcsfSchema.errors(f)).as(f.toPrettyString()).isEmpty();
        assertThat(f.at("/finding_info/types/0").asText()).isEqualTo(kind.name());
        assertThat(f.at("/finding_info/title").asText()).doesNotContain("_").endsWith("(rule system-slice-managers)");
    }

    @Test
    void withoutDecisionsEvidencesCarryIdAndOutcomeAndThereIsNoActor() {
        ObjectNode f = mapper.map(Violations.collectorLoss().build());

        assertThat(OcsfSchema.errors(f)).isEmpty();
        assertThat(f.has("actor")).isFalse();
        assertThat(f.get("evidences")).hasSize(2);
        assertThat(f.at("/evidences/0/data/eventId").asText()).isEqualTo("node-a/3f1c2b1e-0000-4000-8000-000000000001/0");
        assertThat(f.at("/evidences/0/data/outcome").asText()).isEqualTo("ALLOWED");
        assertThat(f.at("/evidences/1/data/outcome").asText()).isEqualTo("DENIED");
        assertThat(f.at("/unmapped/decisionsDescribed").asInt()).isZero();
        assertThat(f.at("/unmapped/mode").isMissingNode()).isTrue();
    }

    @Test
    void withDecisionsTheWriterIsTheActorAndEachDecisionIsSpelledOut() {
        AttachDecision allowed = Decisions.allowedProcsWrite().build();
        AttachDecision enforced = Decisions.enforcedClone().build();
        PolicyViolation v = Violations.collectorLoss().build();

        ObjectNode f = mapper.map(v, Map.of(allowed.getEventId(), allowed, enforced.getEventId(), enforced));

        assertThat(OcsfSchema.errors(f)).as(f.toPrettyString()).isEmpty();
        assertThat(f.at("/actor/process/pid").asInt()).isEqualTo(1);
        assertThat(f.at("/actor/process/name").asText()).isEqualTo("systemd");
        assertThat(f.at("/actor/process/file/path").asText()).isEqualTo("/usr/lib/systemd/systemd");
        assertThat(f.at("/actor/process/file/name").asText()).isEqualTo("systemd");
        assertThat(f.at("/actor/process/user/uid").asText()).isEqualTo("0");
        assertThat(f.at("/evidences/0/process/pid").asInt()).isEqualTo(4242);
        assertThat(f.at("/evidences/0/data/destination/path").asText()).isEqualTo("/system.slice/nginx.service");
        assertThat(f.at("/evidences/1/actor/process/name").asText()).isEqualTo("bash");
        assertThat(f.at("/evidences/1/actor/process/file").isMissingNode()).as("exe unknown").isTrue();
        assertThat(f.at("/evidences/1/data/errnoName").asText()).isEqualTo("EACCES");
        assertThat(f.at("/evidences/1/data/enforcement/ruleId").asText()).isEqualTo("system-slice-managers");
        assertThat(f.at("/evidences/1/data/destination/pathError").asText()).isEqualTo("cgroup removed before lookup");
        assertThat(f.at("/unmapped/decisionsDescribed").asInt()).isEqualTo(2);
    }

    @Test
    void everythingNotMappedIsUnderUnmapped() {
        ObjectNode f = mapper.map(Violations.unauthorizedMigration().build());
        JsonNode unmapped = f.get("unmapped");
        assertThat(unmapped.get("mode").asText()).isEqualTo("AUDIT");
        assertThat(unmapped.get("subtree").asText()).isEqualTo("/system.slice");
        assertThat(unmapped.get("ruleVersion").asLong()).isEqualTo(3);
        assertThat(unmapped.get("nodes")).hasSize(1);
        assertThat(unmapped.get("decisionIds")).hasSize(1);
        assertThat(unmapped.get("outcomes").get(0).asText()).isEqualTo("DENIED");
    }

    @Test
    void theSameViolationGivesTheSameFinding() throws Exception {
        PolicyViolation v = Violations.unauthorizedMigration().build();
        assertThat(JSON.writeValueAsString(mapper.map(v))).isEqualTo(JSON.writeValueAsString(mapper.map(v)));
    }

    static Stream<Arguments> brokenFindings() {
        return Stream.of(
                broken("finding_info.uid missing", f -> ((ObjectNode) f.get("finding_info")).remove("uid"), "uid"),
                broken("class_uid of another class", f -> f.put("class_uid", 2001), "class_uid"),
                broken("severity_id out of range", f -> f.put("severity_id", 7), "severity_id"),
                broken("time as a string", f -> f.put("time", "2026-11-28T10:00:01Z"), "time"),
                broken("type_uid not class*100+activity", f -> f.put("type_uid", 200402), "type_uid"),
                broken("metadata.version missing", f -> ((ObjectNode) f.get("metadata")).remove("version"), "version"),
                broken("misspelt attribute", f -> f.set("finding_infos", f.get("finding_info")), "finding_infos"),
                broken("actor without process or user", f -> f.putObject("actor"), "actor"),
                broken("empty evidence", f -> f.withArray("evidences").addObject(), "evidences"));
    }

    private static Arguments broken(String name, Consumer<ObjectNode> breakIt, String named) {
        return Arguments.of(name, breakIt, named);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFindings")
    void theSchemaRejectsABrokenFinding(String name, Consumer<ObjectNode> breakIt, String named) {
        ObjectNode f = mapper.map(Violations.unauthorizedMigration().build());
        assertThat(OcsfSchema.errors(f)).isEmpty();

        breakIt.accept(f);

        assertThat(OcsfSchema.errors(f)).as(name).isNotEmpty().anySatisfy(error -> assertThat(error).contains(named));
    }
}
