package dev.cgaudit.collector;

import dev.cgaudit.collector.enforce.NodeEnforcement;
import dev.cgaudit.collector.enrich.BootId;
import dev.cgaudit.collector.publish.DecisionSink;
import dev.cgaudit.collector.publish.JsonLinesSink;
import dev.cgaudit.collector.publish.KafkaDecisionSink;
import dev.cgaudit.collector.publish.KafkaSettings;
import dev.cgaudit.collector.publish.Spool;
import dev.cgaudit.collector.source.DecisionSource;
import dev.cgaudit.collector.status.EnforcementHealth;
import dev.cgaudit.collector.status.MetricsServer;
import dev.cgaudit.collector.status.StatusReporter;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.StatusEvent;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.schema.codec.DecodeException;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.schema.json.JsonLines;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent, wired: a decision source (kernel or trace) feeds a sink (Kafka through the
 * spool, or stdout) on the calling thread; status goes out every few seconds and once at the end.
 */
public final class Collector {

    private static final Logger LOG = LoggerFactory.getLogger(Collector.class);
    private static final Duration DRAIN_ON_EXIT = Duration.ofSeconds(30);

    private final CollectorConfig config;
    private final String bootId;
    private final CollectorMetrics metrics = new CollectorMetrics();
    private volatile boolean stopRequested;
    private final CountDownLatch running = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);

    /** @param bootId this boot of the node ({@link BootId#read()}); seq continues only within one boot */
    public Collector(CollectorConfig config, String bootId) {
        this.config = config;
        this.bootId = bootId;
    }

    public CollectorMetrics metrics() {
        return metrics;
    }

    /** Waits until the source is open (probes attached, trace opened): decisions from then on are captured. */
    public boolean awaitRunning(long timeout, TimeUnit unit) throws InterruptedException {
        return running.await(timeout, unit);
    }

    /** Asks a running collector to finish its current batch, drain and return. */
    public void stop() {
        stopRequested = true;
    }

    /**
     * Waits until {@link #run} has returned and closed everything (spool drained, enforced files
     * restored). A shutdown hook must wait for this: the JVM halts as soon as its hooks return.
     */
    public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    /**
     * Runs until the source is exhausted, {@link #stop()} is called or the configured duration
     * passes. {@code sourceFactory} gets the next sequence number this node should use (continued
     * from the spool after a restart) and the metrics, and returns the source.
     */
    public void run(SourceFactory sourceFactory, PrintWriter stdout) throws Exception {
        try {
            runToEnd(sourceFactory, stdout);
        } finally {
            finished.countDown();
        }
    }

    private void runToEnd(SourceFactory sourceFactory, PrintWriter stdout) throws Exception {
        long deadline = config.duration().map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
        try (Resources r = new Resources()) {
            long nextSeq = 0;
            if (config.sink() == CollectorConfig.Sink.KAFKA) {
                Spool spool = Spool.open(config.spool());
                if (spool.tornAtOpen() > 0) {
                    LOG.warn("spool {}: {} torn frame(s) from a crash were cut off", config.spool().dir(), spool.tornAtOpen());
                }
                nextSeq = continueSequence(spool);
                r.sink = new KafkaDecisionSink(spool, kafka(), metrics, DRAIN_ON_EXIT);
            } else {
                r.sink = new JsonLinesSink(stdout);
            }
            if (config.enforcement().enabled()) {
                r.enforcement = NodeEnforcement.start(config.enforcement(), config.bootstrap(), config.node(), config.spool().dir());
                r.sink = r.enforcement.attributing(r.sink);
            } else if (config.traceFile().isEmpty()) {
                NodeEnforcement.restoreLeftovers(config.spool().dir());
            }
            r.source = sourceFactory.open(nextSeq, metrics);
            running.countDown();
            StatusReporter reporter = new StatusReporter(config.node(), bootId, CollectorVersion.get(),
                    Clock.systemUTC(), metrics, r.sink, r.source.sequencer(), r.source.health(),
                    r.enforcement == null ? EnforcementHealth.NONE : r.enforcement, statusPublisher(r));
            if (config.metricsPort().isPresent()) {
                r.metricsServer = new MetricsServer(config.metricsPort().get(), metrics, r.sink, r.source.health());
                LOG.info("metrics on http://0.0.0.0:{}/metrics", r.metricsServer.port());
            }
            r.scheduler = Executors.newSingleThreadScheduledExecutor(t -> {
                Thread thread = new Thread(t, "cgaudit-status");
                thread.setDaemon(true);
                return thread;
            });
            long every = config.statusInterval().toMillis();
            r.scheduler.scheduleAtFixedRate(() -> safely(() -> reporter.report(null)), every, every, TimeUnit.MILLISECONDS);

            r.source.run(r.sink, () -> stopRequested || System.nanoTime() > deadline);
            r.sink.flush();
            safely(() -> reporter.report("stopping"));
        }
    }

    /** Creates the decision source once the spool has told where the sequence continues. */
    @FunctionalInterface
    public interface SourceFactory {
        DecisionSource open(long nextSeq, CollectorMetrics metrics) throws Exception;
    }

    /** The seq after the newest decision of this node and boot in the spool; 0 on a new boot. */
    long continueSequence(Spool spool) {
        Optional<Spool.Entry> last = spool.lastAtOpen();
        if (last.isEmpty()) {
            return 0;
        }
        try {
            AttachDecision d = EventCodec.of(AttachDecision.class).decode(last.get().value());
            return d.getNode().equals(config.node()) && d.getBootId().equals(bootId) ? d.getSeq() + 1 : 0;
        } catch (DecodeException e) {
            throw new IllegalStateException("the newest record in spool " + config.spool().dir()
                    + " is not a decision (" + e.getMessage() + "); refusing to guess the next seq", e);
        }
    }

    private KafkaSettings kafka() {
        return new KafkaSettings(config.bootstrap(), "cgaudit-collector-" + config.node());
    }

    private Consumer<StatusEvent> statusPublisher(Resources r) {
        if (config.sink() == CollectorConfig.Sink.STDOUT) {
            JsonLines<StatusEvent> json = JsonLines.of(StatusEvent.class);
            // stdout carries decisions only; status goes to stderr where a pipe does not mix them.
            return status -> System.err.println("status " + json.write(status));
        }
        Producer<byte[], byte[]> producer = new KafkaProducer<>(kafka().statusProducer());
        r.statusProducer = producer;
        EventCodec<StatusEvent> codec = EventCodec.of(StatusEvent.class);
        byte[] key = (config.node() + "/collector").getBytes(StandardCharsets.UTF_8);
        return status -> producer.send(new ProducerRecord<>(Topic.STATUS.topicName(), key, codec.encode(status)),
                (meta, error) -> {
                    if (error != null) {
                        LOG.warn("status not delivered: {}", error.toString());
                    }
                });
    }

    private static void safely(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("status report failed: {}", e.toString());
        }
    }

    /** Closes what was opened, in reverse order, even when the run failed half-way. */
    private static final class Resources implements AutoCloseable {
        DecisionSource source;
        DecisionSink sink;
        ScheduledExecutorService scheduler;
        NodeEnforcement enforcement;
        MetricsServer metricsServer;
        Producer<byte[], byte[]> statusProducer;

        @Override
        public void close() throws Exception {
            Exception first = null;
            for (AutoCloseable c : new AutoCloseable[] {
                    scheduler == null ? null : scheduler::shutdownNow,
                    source, sink,
                    // after the source: no decision is attributed while files are being restored
                    enforcement,
                    statusProducer == null ? null : () -> statusProducer.close(Duration.ofSeconds(5)),
                    metricsServer}) {
                if (c == null) {
                    continue;
                }
                try {
                    c.close();
                } catch (Exception e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}
