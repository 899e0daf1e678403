package dev.cgaudit.processor.functions;

import dev.cgaudit.processor.DecisionRecord;
import dev.cgaudit.processor.DeadLetter;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.EncodedDecision;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decoded decisions go on; records that did not decode go to {@link JobDescriptors#DEAD_LETTERS}
 * with their reason and position, are counted ({@code deadLetters}) and logged. A poison record
 * never fails the job.
 */
public final class DeadLetterSplitter extends ProcessFunction<DecisionRecord, EncodedDecision> {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterSplitter.class);
    /** Log every dead letter up to this many, then one in LOG_EVERY: a flood must not drown the log. */
    private static final long LOG_FIRST = 100;
    private static final long LOG_EVERY = 1_000;

    private transient Counter deadLetters;

    @Override
    public void open(OpenContext openContext) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(DecisionRecord record, Context ctx, Collector<EncodedDecision> out) {
        if (record.decision() != null) {
            out.collect(record.decision());
            return;
        }
        DeadLetter dead = record.deadLetter();
        deadLetters.inc();
        long n = deadLetters.getCount();
        if (n <= LOG_FIRST || n % LOG_EVERY == 0) {
            LOG.warn("dead letter #{} at {}: {}: {}", n, dead.position(), dead.reason(), dead.detail());
        }
        ctx.output(JobDescriptors.DEAD_LETTERS, dead);
    }
}
