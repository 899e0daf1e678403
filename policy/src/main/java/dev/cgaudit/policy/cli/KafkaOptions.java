package dev.cgaudit.policy.cli;

import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of every policy command that reads or writes the policy topic. */
final class KafkaOptions {

    @Mixin
    KafkaConnection connection;

    @Option(names = "--topic", paramLabel = "NAME", defaultValue = "cgaudit.policy",
            description = "The policy topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT30S",
            description = "How long to wait for Kafka, as an ISO-8601 duration (default: ${DEFAULT-VALUE}).")
    Duration timeout;
}
