package dev.cgaudit.policy.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** The options of every command that talks to Kafka. */
final class KafkaOptions {

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: $CGAUDIT_BOOTSTRAP, else " + CliEnvironment.DEFAULT_BOOTSTRAP + ").")
    String bootstrap;

    @Option(names = "--topic", paramLabel = "NAME", defaultValue = "cgaudit.policy",
            description = "The policy topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT30S",
            description = "How long to wait for Kafka, as an ISO-8601 duration (default: ${DEFAULT-VALUE}).")
    Duration timeout;
}
