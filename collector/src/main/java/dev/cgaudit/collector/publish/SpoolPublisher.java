package dev.cgaudit.collector.publish;

import dev.cgaudit.collector.CollectorMetrics;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves spooled records to Kafka, in spool order, on its own thread, and commits in the spool
 * what Kafka acknowledged. All records of a node go to one partition, so acknowledgements arrive
 * in order and the committed index is simply the last acknowledged one.
 *
 * <p>A send that finally fails (the producer gave up) rewinds to the first unacknowledged record
 * with a fresh producer: delivery is at least once, order is kept, and nothing appended to the
 * spool is skipped. Authentication and authorization failures are not retried: they stop the
 * publisher and are reported, since retrying cannot fix them.
 */
public final class SpoolPublisher implements Runnable, Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolPublisher.class);
    private static final long CHECKPOINT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Spool spool;
    private final String topic;
    private final Properties producerConfig;
    private final Function<Properties, Producer<byte[], byte[]>> producers;
    private final CollectorMetrics metrics;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final AtomicReference<RuntimeException> fatal = new AtomicReference<>();
    private final AtomicLong lastAcked;
    private volatile boolean stopping;
    private volatile boolean drainThenStop;
    private volatile Thread thread;

    public SpoolPublisher(Spool spool, String topic, Properties producerConfig, CollectorMetrics metrics) {
        this(spool, topic, producerConfig, KafkaProducer::new, metrics);
    }

    SpoolPublisher(Spool spool, String topic, Properties producerConfig,
            Function<Properties, Producer<byte[], byte[]>> producers, CollectorMetrics metrics) {
        this.spool = spool;
        this.topic = topic;
        this.producerConfig = producerConfig;
        this.producers = producers;
        this.metrics = metrics;
        this.lastAcked = new AtomicLong(spool.committedIndex());
    }

    public Thread start() {
        Thread t = new Thread(this, "cgaudit-publisher");
        t.setDaemon(true);
        thread = t;
        t.start();
        return t;
    }

    @Override
    public void run() {
        Producer<byte[], byte[]> producer = producers.apply(producerConfig);
        long lastCheckpoint = System.nanoTime();
        try (Spool.Reader reader = spool.reader()) {
            long sentUpTo = spool.committedIndex();
            while (!stopping) {
                Exception failed = failure.getAndSet(null);
                if (failed != null) {
                    if (isFatal(failed)) {
                        fatal.set(new IllegalStateException("Kafka refused the collector: " + failed.getMessage(), failed));
                        LOG.error("publishing stopped: {}", failed.toString());
                        return;
                    }
                    LOG.warn("send failed ({}); resending from spool record {}", failed.toString(), spool.committedIndex() + 1);
                    metrics.resends.increment();
                    producer.close(Duration.ZERO);
                    producer = producers.apply(producerConfig);
                    reader.seek(spool.committedIndex() + 1);
                    sentUpTo = spool.committedIndex();
                }
                Optional<Spool.Entry> entry = reader.next();
                if (entry.isPresent()) {
                    send(producer, entry.get());
                    sentUpTo = entry.get().index();
                } else {
                    if (drainThenStop) {
                        // Caught up: only then wait for the acks; flushing whenever the reader
                        // catches up (every batch, with the in-memory handoff) would defeat linger.
                        producer.flush();
                        if (spool.committedIndex() >= spool.flushedIndex()) {
                            return;
                        }
                    }
                    spool.awaitAfter(sentUpTo, 50, TimeUnit.MILLISECONDS);
                }
                if (System.nanoTime() - lastCheckpoint > CHECKPOINT_NANOS) {
                    spool.checkpoint();
                    lastCheckpoint = System.nanoTime();
                }
            }
        } catch (IOException e) {
            fatal.set(new IllegalStateException("cannot read the spool: " + e.getMessage(), e));
            LOG.error("publishing stopped: cannot read the spool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            producer.close(Duration.ofSeconds(drainThenStop ? 30 : 1));
            spool.checkpoint();
        }
    }

    private void send(Producer<byte[], byte[]> producer, Spool.Entry entry) {
        long index = entry.index();
        long started = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, entry.key(), entry.value()), (meta, error) -> {
            if (error != null) {
                failure.compareAndSet(null, error);
                return;
            }
            // Acks of one partition arrive in order; after a rewind, older duplicates may ack again.
            if (index > lastAcked.get()) {
                lastAcked.set(index);
                spool.commit(index);
            }
            metrics.published.increment();
            metrics.publishLatency.record(System.nanoTime() - started);
        });
    }

    private static boolean isFatal(Exception e) {
        return e instanceof AuthenticationException || e instanceof AuthorizationException;
    }

    /** Why publishing stopped for good, if it did. */
    public Optional<RuntimeException> fatalError() {
        return Optional.ofNullable(fatal.get());
    }

    /** Stops after everything flushed to the spool so far is acknowledged, or the timeout. */
    public boolean drainAndStop(long timeout, TimeUnit unit) throws InterruptedException {
        drainThenStop = true;
        Thread t = thread;
        if (t == null) {
            return true;
        }
        t.join(unit.toMillis(timeout));
        if (t.isAlive()) {
            stopping = true;
            t.join();
            return false;
        }
        return true;
    }

    @Override
    public void close() {
        stopping = true;
        Thread t = thread;
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
