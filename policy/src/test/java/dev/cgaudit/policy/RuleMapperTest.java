package dev.cgaudit.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cgaudit.policy.file.PolicyFileParser;
import dev.cgaudit.schema.Direction;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.Rule;
import dev.cgaudit.schema.RuleKind;
import dev.cgaudit.schema.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleMapperTest {

    static final Path SAMPLE = Path.of("..", "deploy", "examples", "policy.yaml");

    @Test
    void everyRuleOfTheSampleSurvivesTheWireForm() throws Exception {
        List<PolicyRule> rules = new PolicyFileParser().parse("sample", Files.readAllBytes(SAMPLE)).rules();

        for (PolicyRule rule : rules) {
            assertThat(RuleMapper.fromAvro(RuleMapper.toAvro(rule))).isEqualTo(rule);
        }
    }

    @Test
    void writesEnumsAsSchemaSymbolsAndEmptyAllowFieldsAsNull() throws IOException {
        PolicyRule rule = PolicyRule.builder("a", RuleKind.ALLOWLIST, "/a").direction(Direction.OUT_OF).mode(Mode.ENFORCE)
                .severity(Severity.CRITICAL).allow(AllowEntry.builder().uid(0L).build()).build();

        Rule wire = RuleMapper.toAvro(rule);

        assertThat(wire.getDirection()).isEqualTo(Direction.OUT_OF);
        assertThat(wire.getAllow().get(0).getUid()).containsExactly(0L);
        assertThat(wire.getAllow().get(0).getExe()).isNull();
        assertThat(wire.getThreshold()).isNull();
        assertThat(wire.getWhen()).isNull();
    }

    @Test
    void aWireRuleIsValidatedAsStrictlyAsAFileRule() {
        Rule wire = RuleMapper.toAvro(PolicyRule.builder("a", RuleKind.CONTAINMENT, "/a").build());
        wire.setSubtree("/a/");
        wire.setWhen("decision.nope");
        wire.setDirection(Direction.INTO);

        assertThatThrownBy(() -> RuleMapper.fromAvro(wire))
                .isInstanceOfSatisfying(InvalidRuleException.class, e -> assertThat(e.problems()).hasSize(2)
                        .anySatisfy(p -> assertThat(p).startsWith("subtree: expected no trailing '/'"))
                        .anySatisfy(p -> assertThat(p).startsWith("when: undefined field 'nope'")));
        wire.setSubtree("/a");
        wire.setWhen(null);
        assertThatThrownBy(() -> RuleMapper.fromAvro(wire)).isInstanceOf(InvalidRuleException.class)
                .hasMessageContaining("direction is for allowlist rules only");
    }
}
