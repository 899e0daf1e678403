package dev.cgaudit.schema.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.Severity;
import dev.cgaudit.schema.ViolationKind;
import dev.cgaudit.testing.Decisions;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonLines<AttachDecision> decisions = JsonLines.of(AttachDecision.class);

    @Test
    void roundTripsDecisionsWithAndWithoutOptionalParts() throws Exception {
        for (AttachDecision d : List.of(Decisions.allowedProcsWrite().build(), Decisions.deniedAtOpen().build(),
                Decisions.enforcedClone().build())) {
            String line = decisions.write(d);
            assertThat(line).doesNotContain("\n");
            assertThat(decisions.read(line)).isEqualTo(d);
        }
    }

    @Test
    void roundTripsViolations() throws Exception {
        JsonLines<PolicyViolation> violations = JsonLines.of(PolicyViolation.class);
        PolicyViolation v = PolicyViolation.newBuilder()
                .setViolationId("3b9a").setRuleId("user-containment").setRuleVersion(4).setMode(Mode.ENFORCE)
                .setSeverity(Severity.CRITICAL).setKind(ViolationKind.SUBTREE_ESCAPE).setSubtree("/user.slice")
                .setDecisionIds(List.of("node-a/b/7", "node-a/b/9")).setOutcomes(List.of(Outcome.ALLOWED, Outcome.DENIED))
                .setFirstSeen(Instant.parse("2026-11-28T10:00:00.000001Z"))
                .setLastSeen(Instant.parse("2026-11-28T10:00:03.5Z"))
                .setCount(2).setNodes(List.of("node-a")).setExplanation("moved out of /user.slice").build();
        String line = violations.write(v);
        assertThat(violations.read(line)).isEqualTo(v);
        JsonNode json = JSON.readTree(line);
        assertThat(json.get("kind").asText()).isEqualTo("SUBTREE_ESCAPE");
        assertThat(json.get("outcomes").get(1).asText()).isEqualTo("DENIED");
        assertThat(json.get("firstSeen").asText()).isEqualTo("2026-11-28T10:00:00.000001Z");
    }

    @Test
    void writesTheContractForm() throws Exception {
        JsonNode json = JSON.readTree(decisions.write(Decisions.deniedAtOpen().build()));
        assertThat(json.get("timestamp").asText()).isEqualTo("2026-11-28T10:00:01Z");
        assertThat(json.get("operation").asText()).isEqualTo("PROCS_WRITE");
        assertThat(json.get("outcome").asText()).isEqualTo("DENIED");
        assertThat(json.get("errnoName").asText()).isEqualTo("EACCES");
        assertThat(json.get("writer").get("uid").asLong()).isEqualTo(1000);
        // nulls are omitted, not written as null
        assertThat(json.has("target")).isFalse();
        assertThat(json.has("source")).isFalse();
        assertThat(json.get("writer").has("exe")).isFalse();
        assertThat(json.get("destination").get("pathError").asText()).isEqualTo("cgroup removed before lookup");
    }

    @Test
    void acceptsExplicitNullsForOptionalFields() throws Exception {
        String line = decisions.write(Decisions.deniedAtOpen().build()).replace("{\"eventId\"", "{\"target\":null,\"eventId\"");
        assertThat(decisions.read(line)).isEqualTo(Decisions.deniedAtOpen().build());
    }

    @Test
    void unknownFieldIsNamedWithTheKnownOnes() {
        String line = decisions.write(Decisions.allowedProcsWrite().build()).replace("\"uid\":0", "\"uidd\":0");
        JsonLineException e = catchThrowableOfType(JsonLineException.class, () -> decisions.read(line));
        assertThat(e.field()).isEqualTo("writer.uidd");
        assertThat(e.problem()).contains("unknown field of Writer").contains("uid");
    }

    @Test
    void wrongTypeNamesFieldAndExpectation() {
        String line = decisions.write(Decisions.allowedProcsWrite().build()).replace("\"seq\":0", "\"seq\":\"zero\"");
        JsonLineException e = catchThrowableOfType(JsonLineException.class, () -> decisions.read(line));
        assertThat(e.field()).isEqualTo("seq");
        assertThat(e.problem()).contains("expected an integer").contains("zero");
    }

    @Test
    void intOverflowIsAnError() {
        String line = decisions.write(Decisions.allowedProcsWrite().build()).replace("\"errno\":0", "\"errno\":4294967296");
        JsonLineException e = catchThrowableOfType(JsonLineException.class, () -> decisions.read(line));
        assertThat(e.field()).isEqualTo("errno");
    }

    @Test
    void missingRequiredFieldIsNamed() {
        String line = decisions.write(Decisions.allowedProcsWrite().build()).replace("\"node\":\"node-a\",", "");
        JsonLineException e = catchThrowableOfType(JsonLineException.class, () -> decisions.read(line));
        assertThat(e.field()).isEqualTo("node");
        assertThat(e.problem()).contains("missing");
    }

    @Test
    void unknownEnumSymbolListsTheValidOnes() {
        String line = decisions.write(Decisions.allowedProcsWrite().build()).replace("ALLOWED", "OK");
        JsonLineException e = catchThrowableOfType(JsonLineException.class, () -> decisions.read(line));
        assertThat(e.field()).isEqualTo("outcome");
        assertThat(e.problem()).contains("[ALLOWED, DENIED]");
    }

    @Test
    void badTimestampShowsTheExpectedForm() {
        String line = decisions.write(Decisions.allowedProcsWrite().build())
                .replace("2026-11-28T10:00:00Z", "yesterday");
        JsonLineException e = catchThrowableOfType(JsonLineException.class, () -> decisions.read(line));
        assertThat(e.field()).isEqualTo("timestamp");
        assertThat(e.problem()).contains("ISO-8601");
    }

    @Test
    void notJsonOrNotAnObjectIsAnError() {
        assertThat(catchThrowableOfType(JsonLineException.class, () -> decisions.read("{\"eventId\": ")).problem())
                .contains("not valid JSON");
        assertThat(catchThrowableOfType(JsonLineException.class, () -> decisions.read("[1,2]")).problem())
                .contains("expected a JSON object");
    }

    @Test
    void readerSkipsBlankLinesAndReportsFileAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("trace.jsonl");
        String good = decisions.write(Decisions.allowedProcsWrite().build());
        String bad = decisions.write(Decisions.deniedAtOpen().build()).replace("\"errno\":13", "\"errno\":true");
        Files.writeString(file, good + "\n\n" + good + "\n" + bad + "\n");

        JsonLineException e = catchThrowableOfType(JsonLineException.class,
                () -> JsonLinesReader.readAll(decisions, file));
        assertThat(e.source()).isEqualTo(file.toString());
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.field()).isEqualTo("errno");
        assertThat(e).hasMessage(file + ":4: field 'errno': expected an integer (32-bit), got boolean true");
    }

    @Test
    void readerReturnsEveryRecordInOrder() throws Exception {
        AttachDecision a = Decisions.allowedProcsWrite().build();
        AttachDecision b = Decisions.enforcedClone().build();
        try (JsonLinesReader<AttachDecision> reader = new JsonLinesReader<>(decisions,
                new StringReader(decisions.write(a) + "\n" + decisions.write(b) + "\n"), "stdin")) {
            assertThat(reader.next()).contains(a);
            assertThat(reader.next()).contains(b);
            assertThat(reader.lineNumber()).isEqualTo(2);
            assertThat(reader.next()).isEqualTo(Optional.empty());
        }
    }
}
