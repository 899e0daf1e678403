package dev.cgaudit.policy.kafka;

/** The policy topic does not exist on the cluster; it is created with the other cgaudit topics, not by readers. */
public final class TopicMissingException extends Exception {

    private static final long serialVersionUID = 1L;

    public TopicMissingException(String topic, String bootstrapServers) {
        super("topic " + topic + " does not exist on " + bootstrapServers
                + " (create the cgaudit topics first; " + topic + " is compacted, keyed by rule id)");
    }
}
