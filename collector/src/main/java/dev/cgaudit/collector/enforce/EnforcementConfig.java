package dev.cgaudit.collector.enforce;

import dev.cgaudit.schema.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Whether and how the collector enforces: {@code --enforce}/{@code --no-enforce} and {@code --trust}.
 *
 * @param enabled        run the enforcer (follow cgaudit.policy, apply the enforce rules)
 * @param trustDir       operator public keys whose signed commands are accepted
 * @param policyTopic    the policy log
 * @param rescanInterval how often protected subtrees are walked again (new cgroups, files changed behind us)
 */
public record EnforcementConfig(boolean enabled, Path trustDir, String policyTopic, Duration rescanInterval) {

    public static final Duration DEFAULT_RESCAN = Duration.ofSeconds(2);

    public EnforcementConfig {
        Objects.requireNonNull(policyTopic, "policyTopic");
        Objects.requireNonNull(rescanInterval, "rescanInterval");
        if (enabled && trustDir == null) {
            throw new IllegalArgumentException("enforcement needs a trust store (--trust DIR)");
        }
        if (rescanInterval.isNegative() || rescanInterval.isZero()) {
            throw new IllegalArgumentException("the rescan interval must be positive, got " + rescanInterval);
        }
    }

    public static EnforcementConfig disabled() {
        return new EnforcementConfig(false, null, Topic.POLICY.topicName(), DEFAULT_RESCAN);
    }

    public static EnforcementConfig enabled(Path trustDir) {
        return new EnforcementConfig(true, trustDir, Topic.POLICY.topicName(), DEFAULT_RESCAN);
    }
}
