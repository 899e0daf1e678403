package dev.cgaudit.processor.functions;

import static dev.cgaudit.processor.Moves.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.processor.HarnessState;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.Rules;
import dev.cgaudit.schema.Component;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.RuleEnforcementStatus;
import dev.cgaudit.schema.StatusEvent;
import dev.cgaudit.schema.ViolationKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StatusDetectorTest {

    static final ProcessorSettings SETTINGS = ProcessorSettings.DEFAULTS.withNodeRetention(Duration.ofMinutes(5));

    KeyedBroadcastOperatorTestHarness<String, StatusEvent, RuleChange, PolicyViolation> h;

    @BeforeEach
    void open() throws Exception {
        h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new StatusDetector(SETTINGS, false),
                StatusEvent::getNode, Types.STRING, JobDescriptors.RULES, JobDescriptors.POLICY_LOADED);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    static StatusEvent.Builder status(int seconds) {
        return StatusEvent.newBuilder().setComponent(Component.COLLECTOR).setNode("node-a").setBootId("boot-1")
                .setTimestamp(T0.plusSeconds(seconds));
    }

    static RuleEnforcementStatus cannotEnforce(String ruleId) {
        return RuleEnforcementStatus.newBuilder().setRuleId(ruleId).setRuleVersion(1).setBackend("dac")
                .setEnforced(false).setReason("dac cannot stop root").build();
    }

    void send(StatusEvent.Builder s) throws Exception {
        StatusEvent status = s.build();
        h.processElement(status, status.getTimestamp().toEpochMilli());
    }

    void advance(Instant t) throws Exception {
        h.processWatermark(t.toEpochMilli());
        h.processBroadcastWatermark(t.toEpochMilli());
    }

    @Test
    void growing_loss_counters_are_collector_loss_and_a_restart_is_a_new_baseline() throws Exception {
        send(status(0).setRingRecordsLost(0));
        send(status(10).setRingRecordsLost(7).setSpoolDropped(2));
        send(status(20).setRingRecordsLost(7).setSpoolDropped(2));
        send(status(30).setRingRecordsLost(3));   // the collector restarted: 3 lost since
        advance(T0.plusSeconds(31));

        List<PolicyViolation> out = h.extractOutputValues();
        assertThat(out).extracting(PolicyViolation::getKind).containsOnly(ViolationKind.COLLECTOR_LOSS);
        assertThat(out).extracting(PolicyViolation::getCount).containsExactly(9L, 3L);
        assertThat(out.get(0).getExplanation()).contains("7 ring-buffer records lost").contains("2 decisions dropped");
    }

    @Test
    void a_node_that_cannot_enforce_an_enforced_rule_is_reported_once_per_version() throws Exception {
        h.processBroadcastElement(Rules.upsert(Rules.managers(Mode.ENFORCE), 1, T0), T0.toEpochMilli());
        h.processBroadcastElement(Rules.upsert(Rules.userContainment(Mode.AUDIT), 1, T0), T0.toEpochMilli());
        send(status(1).setRuleEnforcement(List.of(cannotEnforce("system-slice-managers"), cannotEnforce("user-containment"))));
        send(status(2).setRuleEnforcement(List.of(cannotEnforce("system-slice-managers"))));
        advance(T0.plusSeconds(3));

        assertThat(h.extractOutputValues()).singleElement().satisfies(v -> {
            assertThat(v.getKind()).isEqualTo(ViolationKind.ENFORCEMENT_DEGRADED);
            assertThat(v.getRuleId()).isEqualTo("system-slice-managers");
            assertThat(v.getExplanation()).contains("dac cannot stop root");
        });
    }

    @Test
    void a_quiet_nodes_state_and_timers_are_gone_after_the_retention() throws Exception {
        h.processBroadcastElement(Rules.upsert(Rules.managers(Mode.ENFORCE), 1, T0), T0.toEpochMilli());
        send(status(1).setRingRecordsLost(1).setRuleEnforcement(List.of(cannotEnforce("system-slice-managers"))));
        advance(T0.plusSeconds(2));
        assertThat(HarnessState.keyedEntries(h)).isPositive();

        advance(T0.plusSeconds(2).plus(SETTINGS.nodeRetention()));
        assertThat(HarnessState.keyedEntries(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }
}
