package dev.cgaudit.processor.replay;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Where replay reads decisions from. */
public sealed interface ReplayInput {

    /** JSON Lines or Avro container files; a directory stands for the files in it (hidden ones skipped). */
    record Files(List<Path> paths) implements ReplayInput {
        public Files {
            paths = List.copyOf(paths);
        }
    }

    /**
     * The decisions topic (and the collector statuses) between two times. Kafka is searched by record
     * timestamps widened by {@code margin} on both sides, then decisions are kept by their own
     * event time; a decision delivered more than {@code margin} after it happened is missed.
     */
    record Kafka(String bootstrap, String decisionsTopic, String statusTopic, Duration margin) implements ReplayInput {
    }
}
