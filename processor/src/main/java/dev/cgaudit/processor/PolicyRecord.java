package dev.cgaudit.processor;

import dev.cgaudit.schema.PolicyCommand;

/**
 * One record of {@code cgaudit.policy} before verification: the command, or why it did not decode.
 *
 * @param key the Kafka key (the rule id the record claims), "" when absent
 */
public record PolicyRecord(String key, PolicyCommand command, String problem, int partition, long offset,
                           String position, long kafkaTimestampMillis) {
}
