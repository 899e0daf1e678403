package dev.cgaudit.collector.source;

import dev.cgaudit.collector.Collector;
import dev.cgaudit.collector.CollectorMetrics;

/** {@code --source bpf}: capture from the kernel of this node. */
public final class BpfSourceFactory implements Collector.SourceFactory {

    private final String node;
    private final String bootId;

    public BpfSourceFactory(String node, String bootId) {
        this.node = node;
        this.bootId = bootId;
    }

    @Override
    public DecisionSource open(long nextSeq, CollectorMetrics metrics) throws Exception {
        return BpfDecisionSource.open(node, bootId, nextSeq, metrics);
    }
}
