package dev.cgaudit.collector.source;

import dev.cgaudit.collector.CollectorMetrics;
import dev.cgaudit.collector.Sequencer;
import dev.cgaudit.collector.decode.RawDecision;
import dev.cgaudit.collector.decode.RecordLayout;
import dev.cgaudit.collector.enrich.CgroupPathResolver;
import dev.cgaudit.collector.enrich.DecisionEnricher;
import dev.cgaudit.collector.enrich.KernelClock;
import dev.cgaudit.collector.enrich.ProcessInfo;
import dev.cgaudit.collector.publish.DecisionSink;
import dev.cgaudit.collector.status.CollectorHealth;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Stands in for the kernel in delivery tests: the same enrichment and sequencing as the BPF
 * source, fed with well-formed raw decisions on demand ({@link #release}) or without end
 * ({@link #unbounded}). What it cannot stand in for — the kernel itself — is covered by the
 * kernel ITs.
 */
public final class GeneratedSource implements DecisionSource {

    private final DecisionEnricher enricher;
    private final Sequencer sequencer;
    private final CollectorMetrics metrics;
    private final Semaphore permits = new Semaphore(0);
    private final boolean unbounded;

    private GeneratedSource(String node, String bootId, Path mount, long nextSeq, CollectorMetrics metrics,
            boolean unbounded) {
        this.enricher = new DecisionEnricher(node, bootId, "test", KernelClock.system(),
                new CgroupPathResolver(mount), ProcessInfo.system());
        this.sequencer = new Sequencer(nextSeq);
        this.metrics = metrics;
        this.unbounded = unbounded;
    }

    /** Emits exactly as many decisions as {@link #release} allows. */
    public static GeneratedSource onDemand(String node, String bootId, Path mount, long nextSeq, CollectorMetrics metrics) {
        return new GeneratedSource(node, bootId, mount, nextSeq, metrics, false);
    }

    /** Emits decisions until stopped, 100 every 10 ms. */
    public static GeneratedSource unbounded(String node, String bootId, Path mount, long nextSeq, CollectorMetrics metrics) {
        return new GeneratedSource(node, bootId, mount, nextSeq, metrics, true);
    }

    public void release(int decisions) {
        permits.release(decisions);
    }

    @Override
    public void run(DecisionSink sink, BooleanSupplier stop) throws InterruptedException {
        while (!stop.getAsBoolean()) {
            int batch = unbounded ? 100 : permits.drainPermits();
            if (batch == 0) {
                if (permits.tryAcquire(20, TimeUnit.MILLISECONDS)) {
                    batch = 1;
                } else {
                    continue;
                }
            }
            for (int i = 0; i < batch; i++) {
                metrics.recordsRead.increment();
                if (sink.accept(enricher.enrich(raw(), sequencer.next()))) {
                    metrics.decisions.increment();
                }
            }
            sink.flush();
            if (unbounded) {
                // Pace like a busy node (10k decisions/s), not like a benchmark: the spool must not fill.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    private static RawDecision raw() {
        int pid = (int) ProcessHandle.current().pid();
        return new RawDecision(RecordLayout.F_TARGET_PARSED | RecordLayout.F_TARGET_FOUND, System.nanoTime(),
                1, 0, 1, pid, pid, 0, 0, pid, pid, 6, RecordLayout.OP_PROCS_WRITE, RecordLayout.STAGE_WRITE,
                true, 0, 0, "java", "java", "");
    }

    @Override
    public Sequencer sequencer() {
        return sequencer;
    }

    @Override
    public CollectorHealth health() {
        return CollectorHealth.NONE;
    }
}
