package dev.cgaudit.schema;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Kafka topics of cgaudit, with the topic-level configs they are created with.
 *
 * <p>The same names and configs are listed for the shell scripts in {@code deploy/local/topics.conf};
 * {@code TopicConfigFileTest} fails when the two disagree. Partition counts are a deployment choice
 * and live with whoever creates the topic.
 *
 * <p>This class deliberately has no Kafka dependency: configs are plain strings under their Kafka
 * config names.
 */
public enum Topic {

    /**
     * Every attach decision, keyed by node. This is the event store and the source of replay, so it
     * is never compacted; 90 days is the default event store retention (the Avro archive keeps
     * decisions beyond that).
     */
    DECISIONS("cgaudit.decisions", Map.of(
            "cleanup.policy", "delete",
            "retention.ms", millis(Duration.ofDays(90)))),

    /**
     * Policy commands, keyed by rule id. Compaction keeps the current policy state cheap to load for
     * the processor and the enforcer.
     *
     * <p>Trade-off: replay without {@code --policy} needs the policy <em>history</em>, which
     * compaction would erase. {@code min.compaction.lag.ms} of 30 days keeps every command for at
     * least that long, so a replay of the last 30 days sees each rule version as it was issued. Older
     * superseded versions may be gone; a replay further back than that must be given a policy file,
     * or the history must come from version control where policy files live.
     */
    POLICY("cgaudit.policy", Map.of(
            "cleanup.policy", "compact",
            "min.compaction.lag.ms", millis(Duration.ofDays(30)))),

    /** Violations raised by the processor, keyed by rule id; what the SOC consumes. Kept a year. */
    VIOLATIONS("cgaudit.violations", Map.of(
            "cleanup.policy", "delete",
            "retention.ms", millis(Duration.ofDays(365)))),

    /**
     * Health of collectors and processor, keyed by node or component: the latest status per key
     * survives compaction, and a key that stops reporting disappears after a week.
     */
    STATUS("cgaudit.status", Map.of(
            "cleanup.policy", "compact,delete",
            "retention.ms", millis(Duration.ofDays(7))));

    private final String topicName;
    private final Map<String, String> configs;

    Topic(String topicName, Map<String, String> configs) {
        this.topicName = topicName;
        this.configs = configs;
    }

    public String topicName() {
        return topicName;
    }

    /** Topic-level configs, immutable, keyed by their Kafka config names. */
    public Map<String, String> configs() {
        return configs;
    }

    /** The topic named {@code name}; throws {@link IllegalArgumentException} naming the valid ones. */
    public static Topic byName(String name) {
        for (Topic topic : values()) {
            if (topic.topicName.equals(name)) {
                return topic;
            }
        }
        throw new IllegalArgumentException("Unknown topic '" + name + "'; valid topics: "
                + Arrays.stream(values()).map(Topic::topicName).collect(Collectors.joining(", ")));
    }

    private static String millis(Duration duration) {
        return Long.toString(duration.toMillis());
    }
}
