package dev.cgaudit.policy.cel;

import static dev.cgaudit.policy.TestDecisions.allowed;
import static dev.cgaudit.policy.TestDecisions.cgroup;
import static dev.cgaudit.policy.TestDecisions.denied;
import static dev.cgaudit.policy.TestDecisions.shell;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Writer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConditionTest {

    private static final AttachDecision SYSTEMD_ALLOWED = allowed().build();
    private static final AttachDecision SHELL_DENIED = denied(allowed().setWriter(shell()), 13, "EACCES").build();
    private static final AttachDecision EXE_UNKNOWN = allowed()
            .setWriter(Writer.newBuilder(shell()).setExe(null).build()).setTarget(null).setSource(null).build();

    static Stream<Arguments> evaluations() {
        return Stream.of(
                Arguments.of("decision.writer.uid != 0", SYSTEMD_ALLOWED, false),
                Arguments.of("decision.writer.uid != 0", SHELL_DENIED, true),
                Arguments.of("decision.outcome == 'DENIED' && decision.errnoName == 'EACCES'", SHELL_DENIED, true),
                Arguments.of("decision.errno == 13", SYSTEMD_ALLOWED, false),
                Arguments.of("decision.operation == 'PROCS_WRITE'", SYSTEMD_ALLOWED, true),
                Arguments.of("decision.destination.path.startsWith('/system.slice/')", SYSTEMD_ALLOWED, true),
                Arguments.of("decision.writer.comm in ['containerd', 'runc']", SHELL_DENIED, false),
                Arguments.of("decision.target.pid == 4242 && decision.node == 'node-a'", SYSTEMD_ALLOWED, true),
                Arguments.of("has(decision.writer.exe)", SYSTEMD_ALLOWED, true),
                Arguments.of("has(decision.writer.exe)", EXE_UNKNOWN, false),
                Arguments.of("has(decision.target) || has(decision.source)", EXE_UNKNOWN, false),
                Arguments.of("decision.timestamp >= timestamp('2026-11-28T10:00:00Z')", SYSTEMD_ALLOWED, true),
                Arguments.of("decision.timestamp > timestamp('2026-11-28T10:00:00Z')", SYSTEMD_ALLOWED, false),
                Arguments.of("!has(decision.enforcement)", SYSTEMD_ALLOWED, true));
    }

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @MethodSource("evaluations")
    void evaluatesOverTheDecisionFields(String expression, AttachDecision decision, boolean expected) throws Exception {
        Condition.Compilation compilation = Condition.compile(expression);
        assertThat(compilation.errors()).isEmpty();
        assertThat(compilation.condition().orElseThrow().test(CelDecision.of(decision))).isEqualTo(expected);
    }

    @Test
    void aTypoInAFieldNameFailsAtCompileTimeWithASuggestion() {
        Condition.Compilation compilation = Condition.compile("decision.writer.uidd != 0");
        assertThat(compilation.condition()).isEmpty();
        assertThat(compilation.errors()).singleElement().satisfies(e -> {
            assertThat(e.message()).contains("undefined field 'uidd'").contains("did you mean 'uid'");
            assertThat(e.line()).isEqualTo(1);
            // the '.' that selects the missing field: "decision.writer" is 15 characters
            assertThat(e.column()).isEqualTo(16);
        });
    }

    @Test
    void anExpressionThatIsNotBoolIsRejected() {
        assertThat(Condition.compile("decision.writer.uid").errors())
                .singleElement().satisfies(e -> assertThat(e.message()).contains("expected type 'bool' but found 'int'"));
    }

    @Test
    void comparingAStringFieldWithANumberIsATypeError() {
        assertThat(Condition.compile("decision.outcome == 1").errors()).isNotEmpty();
    }

    @Test
    void anUndeclaredVariableAndBadSyntaxAreErrorsWithPositions() {
        assertThat(Condition.compile("request.uid == 0").errors())
                .singleElement().satisfies(e -> assertThat(e.message()).contains("undeclared reference to 'request'"));
        assertThat(Condition.compile("decision.writer.uid ==").errors())
                .isNotEmpty().allSatisfy(e -> assertThat(e.line()).isEqualTo(1));
        assertThat(Condition.compile("   ").errors()).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("found nothing"));
    }

    @Test
    void aRuntimeFailureIsATypedExceptionNotAFalse() {
        Condition condition = Condition.of("1 / (decision.errno - 13) == 0");
        assertThatThrownBy(() -> condition.test(CelDecision.of(SHELL_DENIED)))
                .isInstanceOf(ConditionEvaluationException.class)
                .hasMessageContaining("1 / (decision.errno - 13) == 0");
    }

    @Test
    void aMacroOverAHugeListStopsInsteadOfStallingTheHotPath() throws Exception {
        String small = java.util.stream.IntStream.range(0, 10).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
        String huge = java.util.stream.IntStream.range(0, 1_500).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(", ", "[", "]"));

        assertThat(Condition.of(small + ".all(x, x != decision.errno)").test(CelDecision.of(SHELL_DENIED))).isTrue();
        assertThatThrownBy(() -> Condition.of(huge + ".all(x, x >= decision.errno)").test(CelDecision.of(SYSTEMD_ALLOWED)))
                .isInstanceOf(ConditionEvaluationException.class);
    }

    @Test
    void unresolvedPathsReadAsEmptyAndHasTellsThemApart() throws Exception {
        AttachDecision unresolved = allowed().setDestination(cgroup(null)).build();
        assertThat(Condition.of("decision.destination.path == ''").test(CelDecision.of(unresolved))).isTrue();
        assertThat(Condition.of("has(decision.destination.path)").test(CelDecision.of(unresolved))).isFalse();
        assertThat(Condition.of("decision.destination.pathError == 'cgroup removed before lookup'")
                .test(CelDecision.of(unresolved))).isTrue();
    }

    @Test
    void conditionsAreEqualByExpressionText() {
        assertThat(Condition.of("decision.errno == 1")).isEqualTo(Condition.of("decision.errno == 1"))
                .isNotEqualTo(Condition.of("decision.errno == 2"));
    }

    @Test
    void everyDocumentedFieldIsSelectable() {
        for (String path : DecisionSchema.fieldPaths()) {
            assertThat(Condition.compile("has(decision." + path + ")").errors()).as(path).isEmpty();
        }
        assertThat(DecisionSchema.fieldPaths()).contains("writer.uid", "writer.cgroupPath", "target.tgid",
                "source.path", "destination.pathError", "outcome", "errnoName", "enforcement.ruleId", "timestamp");
    }
}
