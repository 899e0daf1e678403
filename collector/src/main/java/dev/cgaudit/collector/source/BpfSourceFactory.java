package dev.cgaudit.collector.source;

import dev.cgaudit.collector.Collector;
import dev.cgaudit.collector.CollectorConfig;
import dev.cgaudit.collector.CollectorMetrics;

/** {@code --source bpf}: capture from the kernel. */
public final class BpfSourceFactory implements Collector.SourceFactory {

    private final CollectorConfig config;

    public BpfSourceFactory(CollectorConfig config) {
        this.config = config;
    }

    @Override
    public DecisionSource open(long nextSeq, CollectorMetrics metrics) {
        throw new IllegalStateException("--source bpf is not available in this build of node " + config.node()
                + "; play a trace with --source FILE");
    }
}
