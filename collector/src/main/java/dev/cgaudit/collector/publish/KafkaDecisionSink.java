package dev.cgaudit.collector.publish;

import dev.cgaudit.collector.CollectorMetrics;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.schema.codec.EventWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code --sink kafka}: each decision is encoded once, appended to the spool (the write-ahead
 * log) and published from there by a {@link SpoolPublisher} thread to {@code cgaudit.decisions},
 * keyed by node. The reader thread never waits for Kafka.
 */
public final class KafkaDecisionSink implements DecisionSink {

    /** Reused across decisions: the sink is called from the reader thread only. */
    private final EventWriter<AttachDecision> encoder = EventCodec.of(AttachDecision.class).writer();
    private byte[] key = new byte[0];
    private String keyOf = "";
    private final Spool spool;
    private final SpoolPublisher publisher;
    /** How long close() waits for Kafka to acknowledge what is spooled; the rest waits for the next start. */
    private final Duration drainTimeout;

    public KafkaDecisionSink(Spool spool, KafkaSettings kafka, CollectorMetrics metrics, Duration drainTimeout) {
        this.spool = spool;
        this.publisher = new SpoolPublisher(spool, Topic.DECISIONS.topicName(), kafka.decisionProducer(), metrics);
        this.drainTimeout = drainTimeout;
        publisher.start();
    }

    @Override
    public boolean accept(AttachDecision decision) {
        if (!keyOf.equals(decision.getNode())) {
            // One node per collector: the key is the same array every time (the spool keeps it by reference).
            keyOf = decision.getNode();
            key = keyOf.getBytes(StandardCharsets.UTF_8);
        }
        return spool.append(key, encoder.encode(decision));
    }

    @Override
    public void flush() {
        spool.flush();
    }

    @Override
    public long backlog() {
        return spool.depth();
    }

    @Override
    public long dropped() {
        return spool.dropped();
    }

    public Optional<RuntimeException> publisherFailure() {
        return publisher.fatalError();
    }

    @Override
    public void close() throws IOException {
        spool.flush();
        try {
            publisher.drainAndStop(drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            spool.close();
        }
    }
}
