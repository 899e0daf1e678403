package dev.cgaudit.processor;

/**
 * A Kafka record that did not decode: where it is and why. The job never fails on one; it is
 * counted, logged and reported on {@code cgaudit.status}.
 *
 * @param reason the {@code DecodeException.Reason} name (TRUNCATED_HEADER, BAD_MARKER, ...)
 */
public record DeadLetter(String topic, int partition, long offset, long kafkaTimestampMillis, String reason,
                         String detail) {

    public String position() {
        return topic + "-" + partition + "@" + offset;
    }
}
