package dev.cgaudit.processor.functions;

import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.Violations;
import dev.cgaudit.schema.PolicyViolation;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** MODE_DOWNGRADE: a rule version that turns enforce into audit; its event time is the command's issuedAt. */
public final class ModeDowngrades implements FlatMapFunction<RuleChange, PolicyViolation> {

    @Override
    public void flatMap(RuleChange change, Collector<PolicyViolation> out) {
        if (change.downgrade()) {
            out.collect(Violations.downgrade(change));
        }
    }
}
