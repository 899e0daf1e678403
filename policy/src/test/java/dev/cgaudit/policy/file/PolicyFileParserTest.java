package dev.cgaudit.policy.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.Subtree;
import dev.cgaudit.policy.Threshold;
import dev.cgaudit.schema.Direction;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.RuleKind;
import dev.cgaudit.schema.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyFileParserTest {

    static final String FILE = "policy.yaml";
    static final String HEADER = "apiVersion: cgaudit.dev/v1\nkind: MigrationPolicy\nrules:\n";

    /** The example of DESIGN.md, "Policy file", as shipped in deploy/examples. */
    static final Path SAMPLE = Path.of("..", "deploy", "examples", "policy.yaml");

    private final PolicyFileParser parser = new PolicyFileParser();

    private PolicySet parse(String yaml) {
        return parser.parse(FILE, yaml.getBytes(StandardCharsets.UTF_8));
    }

    /** One invalid file and the one error it must produce, exactly placed. */
    record Invalid(String name, String yaml, int line, int column, String field, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Invalid> invalidFiles() {
        return Stream.of(
                new Invalid("unknown kind", HEADER + """
                          - id: a
                            subtree: /a
                            kind: allowlst
                            allow: [{uid: 0}]
                        """, 6, 11, "rules[0].kind",
                        "unknown value 'allowlst'; expected one of allowlist, containment, denial-burst, churn (did you mean 'allowlist'?)"),
                new Invalid("bad id", HEADER + """
                          - id: System_Slice
                            subtree: /a
                            kind: containment
                        """, 4, 9, "rules[0].id", "expected a rule id matching [a-z0-9-]+ (lower-case letters, digits, '-'), found 'System_Slice'"),
                new Invalid("duplicate id", HEADER + """
                          - id: a
                            subtree: /a
                            kind: containment
                          - id: a
                            subtree: /b
                            kind: containment
                        """, 7, 9, "rules[1].id", "duplicate rule id 'a'; first defined at line 4"),
                new Invalid("bad duration", HEADER + """
                          - id: a
                            subtree: /
                            kind: churn
                            threshold: {count: 5, within: 10 seconds}
                        """, 7, 35, "rules[0].threshold.within",
                        "expected a positive duration: a whole number followed by ms, s, m or h (500ms, 10s, 5m, 1h), found '10 seconds'"),
                new Invalid("zero duration", HEADER + """
                          - id: a
                            subtree: /
                            kind: churn
                            threshold:
                              count: 5
                              within: 0ms
                        """, 9, 15, "rules[0].threshold.within", "expected a positive duration"),
                new Invalid("threshold missing on denial-burst", HEADER + """
                          - id: probing
                            subtree: /
                            kind: denial-burst
                        """, 4, 5, "rules[0].threshold", "missing; a denial-burst rule needs threshold: {count: N, within: DURATION}"),
                new Invalid("threshold missing on churn", HEADER + """
                          - id: bouncing
                            subtree: /
                            kind: churn
                        """, 4, 5, "rules[0].threshold", "missing; a churn rule needs threshold"),
                new Invalid("threshold on containment", HEADER + """
                          - id: a
                            subtree: /a
                            kind: containment
                            threshold: {count: 5, within: 10s}
                        """, 7, 5, "rules[0].threshold", "threshold is for denial-burst and churn rules only; remove it from this containment rule"),
                new Invalid("count below 2", HEADER + """
                          - id: a
                            subtree: /
                            kind: denial-burst
                            threshold: {count: 1, within: 10s}
                        """, 7, 24, "rules[0].threshold.count", "expected a whole number from 2 to 1000000, found '1'"),
                new Invalid("count missing", HEADER + """
                          - id: a
                            subtree: /
                            kind: denial-burst
                            threshold: {within: 10s}
                        """, 7, 16, "rules[0].threshold.count", "missing; expected a whole number of decisions, at least 2"),
                new Invalid("allow entries on a non-allowlist rule", HEADER + """
                          - id: a
                            subtree: /a
                            kind: containment
                            allow:
                              - uid: 0
                        """, 7, 5, "rules[0].allow", "allow entries are for allowlist rules only; remove them from this containment rule"),
                new Invalid("allow missing on an allowlist", HEADER + """
                          - id: a
                            subtree: /a
                            kind: allowlist
                        """, 4, 5, "rules[0].allow", "missing; an allowlist rule needs allow entries"),
                new Invalid("allow empty on an allowlist", HEADER + """
                          - id: a
                            subtree: /a
                            kind: allowlist
                            allow: []
                        """, 7, 12, "rules[0].allow", "expected at least one allow entry"),
                new Invalid("an allow entry that sets nothing", HEADER + """
                          - id: a
                            subtree: /a
                            kind: allowlist
                            allow: [{}]
                        """, 7, 13, "rules[0].allow[0]", "sets none of exe, comm, uid, gid, writerCgroup"),
                new Invalid("direction on a non-allowlist rule", HEADER + """
                          - id: a
                            subtree: /a
                            kind: containment
                            direction: into
                        """, 7, 5, "rules[0].direction", "direction is for allowlist rules only"),
                new Invalid("unknown direction", HEADER + """
                          - id: a
                            subtree: /a
                            kind: allowlist
                            direction: out_of
                            allow: [{uid: 0}]
                        """, 7, 16, "rules[0].direction", "unknown value 'out_of'; expected one of into, out-of, any (did you mean 'out-of'?)"),
                new Invalid("subtree not absolute", HEADER + """
                          - id: a
                            subtree: system.slice
                            kind: containment
                        """, 5, 14, "rules[0].subtree",
                        "expected an absolute cgroup path starting with '/' (relative to the cgroup2 mount), found 'system.slice'"),
                new Invalid("subtree with a trailing slash", HEADER + """
                          - id: a
                            subtree: /system.slice/
                            kind: containment
                        """, 5, 14, "rules[0].subtree", "expected no trailing '/' (write /system.slice)"),
                new Invalid("subtree with ..", HEADER + """
                          - id: a
                            subtree: /a/../b
                            kind: containment
                        """, 5, 14, "rules[0].subtree", "without '.' or '..' segments"),
                new Invalid("subtree with //", HEADER + """
                          - id: a
                            subtree: /a//b
                            kind: containment
                        """, 5, 14, "rules[0].subtree", "no empty segment"),
                new Invalid("writerCgroup not absolute", HEADER + """
                          - id: a
                            subtree: /a
                            kind: allowlist
                            allow:
                              - writerCgroup: [/ok, relative]
                        """, 8, 29, "rules[0].allow[0].writerCgroup[1]", "expected an absolute cgroup path"),
                new Invalid("unknown field, with a suggestion", HEADER + """
                          - id: a
                            subtre: /a
                            subtree: /a
                            kind: containment
                        """, 5, 5, "rules[0].subtre", "unknown field 'subtre'; did you mean 'subtree'?"),
                new Invalid("unknown field in an allow entry", HEADER + """
                          - id: a
                            subtree: /a
                            kind: allowlist
                            allow:
                              - uid: 0
                                exec: /bin/x
                        """, 9, 9, "rules[0].allow[0].exec", "unknown field 'exec'; did you mean 'exe'?"),
                new Invalid("unknown top-level field without a close name", HEADER.replace("rules:", "metadata: {}\nrules:") + """
                          - id: a
                            subtree: /a
                            kind: containment
                        """, 3, 1, "metadata", "unknown field 'metadata' (known fields: apiVersion, kind, rules)"),
                new Invalid("wrong apiVersion", HEADER.replace("v1", "v2") + """
                          - id: a
                            subtree: /a
                            kind: containment
                        """, 1, 13, "apiVersion", "expected 'cgaudit.dev/v1', found 'cgaudit.dev/v2'"),
                new Invalid("wrong kind", HEADER.replace("MigrationPolicy", "Policy") + """
                          - id: a
                            subtree: /a
                            kind: containment
                        """, 2, 7, "kind", "expected 'MigrationPolicy', found 'Policy'"),
                new Invalid("missing apiVersion", HEADER.replace("apiVersion: cgaudit.dev/v1\n", "") + """
                          - id: a
                            subtree: /a
                            kind: containment
                        """, 1, 1, "apiVersion", "missing; expected apiVersion: cgaudit.dev/v1"),
                new Invalid("rules not a list", HEADER.replace("rules:\n", "rules: {}\n"), 3, 8, "rules", "expected a list of rules, found a mapping"),
                new Invalid("a rule that is not a mapping", HEADER + "  - just-an-id\n", 4, 5, "rules[0]",
                        "expected a mapping (key: value lines), found 'just-an-id'"),
                new Invalid("uid not a number", HEADER + """
                          - id: a
                            subtree: /a
                            kind: allowlist
                            allow: [{uid: root}]
                        """, 7, 19, "rules[0].allow[0].uid", "expected a numeric id from 0 to 4294967295, found 'root'"),
                new Invalid("uid a mapping", HEADER + """
                          - id: a
                            subtree: /a
                            kind: allowlist
                            allow: [{uid: {a: 1}}]
                        """, 7, 19, "rules[0].allow[0].uid", "found a mapping"),
                new Invalid("subtree a list", HEADER + """
                          - id: a
                            subtree: [/a]
                            kind: containment
                        """, 5, 14, "rules[0].subtree", "expected a single value, found a list"),
                new Invalid("exe relative", HEADER + """
                          - id: a
                            subtree: /a
                            kind: allowlist
                            allow: [{exe: runc}]
                        """, 7, 19, "rules[0].allow[0].exe", "expected an absolute executable path such as /usr/bin/runc, found 'runc'"),
                new Invalid("unknown mode", HEADER + """
                          - id: a
                            subtree: /a
                            kind: containment
                            mode: enforcing
                        """, 7, 11, "rules[0].mode", "unknown value 'enforcing'; expected one of audit, enforce (did you mean 'enforce'?)"),
                new Invalid("unknown severity", HEADER + """
                          - id: a
                            subtree: /a
                            kind: containment
                            severity: severe
                        """, 7, 15, "rules[0].severity", "unknown value 'severe'; expected one of info, low, medium, high, critical"),
                new Invalid("missing id", HEADER + """
                          - subtree: /a
                            kind: containment
                        """, 4, 5, "rules[0].id", "missing; expected a rule id"),
                new Invalid("null kind", HEADER + """
                          - id: a
                            subtree: /a
                            kind:
                        """, 6, 10, "rules[0].kind", "expected a single value, found nothing (null)"),
                new Invalid("duplicate key", HEADER + """
                          - id: a
                            subtree: /a
                            kind: containment
                            kind: containment
                        """, 7, 5, "rules[0].kind", "duplicate key 'kind'; first given at line 6"),
                new Invalid("CEL: typo in a field name, on the line and column of the field", HEADER + """
                          - id: a
                            subtree: /a
                            kind: containment
                            when: "decision.writer.uidd != 0"
                        """, 7, 27, "rules[0].when", "CEL: undefined field 'uidd' (did you mean 'uid'?"),
                new Invalid("CEL: plain scalar", HEADER + """
                          - id: a
                            subtree: /a
                            kind: containment
                            when: decision.destination.paht == '/x'
                        """, 7, 31, "rules[0].when", "CEL: undefined field 'paht' (did you mean 'path'?"),
                new Invalid("CEL: literal block, second line", HEADER + """
                          - id: a
                            subtree: /a
                            kind: containment
                            when: |
                              decision.outcome == 'DENIED' &&
                                decision.writer.commm == 'x'
                        """, 9, 24, "rules[0].when", "CEL: undefined field 'commm'"),
                new Invalid("CEL: not a bool", HEADER + """
                          - id: a
                            subtree: /a
                            kind: containment
                            when: "decision.writer.uid + 1"
                        """, 7, 32, "rules[0].when", "CEL: expected type 'bool' but found 'int'"),
                new Invalid("CEL: syntax", HEADER + """
                          - id: a
                            subtree: /a
                            kind: containment
                            when: "decision.writer.uid =="
                        """, 7, 34, "rules[0].when", "CEL: mismatched input '<EOF>'"),
                new Invalid("tab indentation", HEADER + "\t- id: a\n", 4, 1, "", "YAML syntax: found character '\\t(TAB)' that cannot start any token"),
                new Invalid("empty file", "", 1, 1, "", "empty policy file; expected a mapping with apiVersion: cgaudit.dev/v1"),
                new Invalid("comments only", "# nothing here\n\n", 1, 1, "", "empty policy file"),
                new Invalid("not a mapping", "- a\n- b\n", 1, 1, "", "expected a mapping (key: value lines), found a list"),
                new Invalid("unclosed flow mapping", HEADER + "  - {id: a, subtree: /a\n", 5, 1, "", "YAML syntax:"),
                new Invalid("two documents", HEADER + """
                          - id: a
                            subtree: /a
                            kind: containment
                        ---
                        apiVersion: cgaudit.dev/v1
                        """, 8, 1, "", "expected one YAML document per file, found another one here"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFiles")
    void reportsTheErrorWithFileLineColumnFieldAndWhatWasExpected(Invalid c) {
        PolicySet result = parse(c.yaml());

        assertThat(result.isValid()).isFalse();
        assertThat(result.errors()).as("errors of %s", c.name()).hasSize(1);
        ValidationError error = result.errors().get(0);
        assertThat(error.file()).isEqualTo(FILE);
        assertThat(error.line()).as("line of %s", error).isEqualTo(c.line());
        assertThat(error.column()).as("column of %s", error).isEqualTo(c.column());
        assertThat(error.field()).as("field of %s", error).isEqualTo(c.field());
        assertThat(error.message()).contains(c.message());
    }

    @Test
    void aByteThatIsNotUtf8IsReportedOnItsLine() {
        byte[] yaml = (HEADER + "  - id: a\n    subtree: /caf").getBytes(StandardCharsets.US_ASCII);
        byte[] withBadByte = java.util.Arrays.copyOf(yaml, yaml.length + 2);
        withBadByte[yaml.length] = (byte) 0xE9; // Latin-1 'é'
        withBadByte[yaml.length + 1] = '\n';

        PolicySet result = parser.parse(FILE, withBadByte);

        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(5);
            assertThat(e.column()).isEqualTo(18);
            assertThat(e.message()).isEqualTo("not valid UTF-8 (byte 0xE9 at offset " + yaml.length + "); expected a UTF-8 text file");
        });
    }

    @Test
    void reportsEveryErrorOfAFileAtOnceInLineOrder() {
        PolicySet result = parse(HEADER.replace("v1", "v0") + """
                  - id: Bad
                    subtree: relative
                    kind: allowlist
                  - id: probing
                    subtree: /
                    kind: denial-burst
                    threshold: {count: 5, within: soon}
                    colour: red
                  - id: ok
                    subtree: /ok
                    kind: containment
                    when: decision.writer.uidd == 0
                """);

        assertThat(result.errors()).extracting(ValidationError::line, ValidationError::field).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, "apiVersion"),
                org.assertj.core.groups.Tuple.tuple(4, "rules[0].allow"),
                org.assertj.core.groups.Tuple.tuple(4, "rules[0].id"),
                org.assertj.core.groups.Tuple.tuple(5, "rules[0].subtree"),
                org.assertj.core.groups.Tuple.tuple(10, "rules[1].threshold.within"),
                org.assertj.core.groups.Tuple.tuple(11, "rules[1].colour"),
                org.assertj.core.groups.Tuple.tuple(15, "rules[2].when"));
        assertThat(result.errors()).allSatisfy(e -> assertThat(e.toString()).startsWith(FILE + ":" + e.line() + ":" + e.column() + ": "));
    }

    @Test
    void theSamplePolicyOfTheDesignValidatesIntoTypedRules() throws IOException {
        PolicySet result = parser.parse(SAMPLE.toString(), Files.readAllBytes(SAMPLE));

        assertThat(result.errors()).isEmpty();
        assertThat(result.rules()).extracting(PolicyRule::id)
                .containsExactly("system-slice-managers", "user-containment", "probing", "bouncing");
        PolicyRule managers = result.rules().get(0);
        assertThat(managers.description()).contains("Only systemd moves processes into or out of system.slice");
        assertThat(managers.subtree()).isEqualTo(Subtree.of("/system.slice"));
        assertThat(managers.kind()).isEqualTo(RuleKind.ALLOWLIST);
        assertThat(managers.direction()).isEqualTo(Direction.ANY);
        assertThat(managers.mode()).isEqualTo(Mode.AUDIT);
        assertThat(managers.severity()).isEqualTo(Severity.HIGH);
        assertThat(managers.allow()).containsExactly(
                AllowEntry.builder().exe("/usr/lib/systemd/systemd").build(),
                AllowEntry.builder().uid(0L).comm("containerd", "runc").build(),
                AllowEntry.builder().writerCgroup("/system.slice/containerd.service").build());
        assertThat(managers.when()).hasValueSatisfying(w -> assertThat(w.expression()).isEqualTo("decision.writer.uid != 0"));
        assertThat(result.rules().get(1).mode()).isEqualTo(Mode.ENFORCE);
        assertThat(result.rules().get(1).severity()).isEqualTo(Severity.CRITICAL);
        assertThat(result.rules().get(2).threshold()).contains(new Threshold(5, Duration.ofSeconds(10)));
        assertThat(result.rules().get(3).threshold()).contains(new Threshold(10, Duration.ofSeconds(60)));
        assertThat(result.origins().get("probing")).isEqualTo(new RuleOrigin(SAMPLE.toString(), 22, "rules[2]"));
    }

    @Test
    void omittedFieldsTakeTheDocumentedDefaults() {
        PolicySet result = parse(HEADER + """
                  - id: minimal
                    subtree: /a
                    kind: allowlist
                    allow:
                      - comm: runc
                """);

        PolicyRule rule = result.rules().get(0);
        assertThat(rule.mode()).isEqualTo(Mode.AUDIT);
        assertThat(rule.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(rule.direction()).isEqualTo(Direction.ANY);
        assertThat(rule.description()).isEmpty();
        assertThat(rule.when()).isEmpty();
        assertThat(rule.allow()).containsExactly(AllowEntry.builder().comm("runc").build());
    }

    @Test
    void scalarOrListFieldsAcceptBothAndDurationsTakeEveryUnit() {
        PolicySet result = parse(HEADER + """
                  - id: a
                    subtree: /a
                    kind: allowlist
                    direction: out-of
                    allow:
                      - {uid: [0, 998], gid: 0, exe: [/a, /b], comm: "123", writerCgroup: /system.slice}
                  - {id: b, subtree: /, kind: churn, threshold: {count: 2, within: 500ms}}
                  - {id: c, subtree: /, kind: churn, threshold: {count: 2, within: 5m}}
                  - {id: d, subtree: /, kind: churn, threshold: {count: 2, within: 1h}}
                """);

        assertThat(result.errors()).isEmpty();
        assertThat(result.rules().get(0).direction()).isEqualTo(Direction.OUT_OF);
        assertThat(result.rules().get(0).allow()).containsExactly(AllowEntry.builder()
                .uid(0L, 998L).gid(0L).exe("/a", "/b").comm("123").writerCgroup("/system.slice").build());
        assertThat(result.rules().subList(1, 4)).extracting(r -> r.threshold().orElseThrow().within())
                .containsExactly(Duration.ofMillis(500), Duration.ofMinutes(5), Duration.ofHours(1));
    }

    @Test
    void anEmptyRuleListIsAValidPolicyWithNoRules() {
        assertThat(parse(HEADER.replace("rules:\n", "rules: []\n")).rules()).isEmpty();
        assertThat(parse(HEADER.replace("rules:\n", "rules: []\n")).isValid()).isTrue();
    }

    @Test
    void filesGivenTogetherMustNotDefineARuleTwice(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path first = Files.writeString(dir.resolve("a.yaml"), HEADER + "  - {id: shared, subtree: /a, kind: containment}\n");
        Path second = Files.writeString(dir.resolve("b.yaml"), HEADER + "  - {id: other, subtree: /b, kind: containment}\n"
                + "  - {id: shared, subtree: /c, kind: containment}\n");

        PolicySet result = new PolicyFiles().load(List.of(first, second, dir.resolve("missing.yaml")));

        assertThat(result.errors()).containsExactly(
                new ValidationError(second.toString(), 5, 1, "rules[1].id",
                        "duplicate rule id 'shared'; also defined at " + first + ":4 (ids must be unique across all files applied together)"),
                new ValidationError(dir.resolve("missing.yaml").toString(), 0, 0, "", "no such file"));
    }
}
