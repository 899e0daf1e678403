package dev.cgaudit.collector.source;

import dev.cgaudit.collector.Cgroup2Mount;
import dev.cgaudit.collector.CollectorMetrics;
import dev.cgaudit.collector.CollectorVersion;
import dev.cgaudit.collector.Sequencer;
import dev.cgaudit.collector.bpf.BpfException;
import dev.cgaudit.collector.bpf.CollectorProbes;
import dev.cgaudit.collector.bpf.KernelCapabilities;
import dev.cgaudit.collector.bpf.KernelCapability;
import dev.cgaudit.collector.bpf.LibBpf;
import dev.cgaudit.collector.bpf.LostCounters;
import dev.cgaudit.collector.bpf.SyscallNumbers;
import dev.cgaudit.collector.decode.DecisionDecoder;
import dev.cgaudit.collector.decode.RecordLayout;
import dev.cgaudit.collector.enrich.CgroupPathResolver;
import dev.cgaudit.collector.enrich.DecisionEnricher;
import dev.cgaudit.collector.enrich.KernelClock;
import dev.cgaudit.collector.enrich.ProcessInfo;
import dev.cgaudit.collector.publish.DecisionSink;
import dev.cgaudit.collector.ring.ConsumeResult;
import dev.cgaudit.collector.ring.EpollWaiter;
import dev.cgaudit.collector.ring.MappedRing;
import dev.cgaudit.collector.ring.RingBufferReader;
import dev.cgaudit.collector.status.CollectorHealth;
import dev.cgaudit.schema.Capability;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --source bpf}: the kernel's decisions. Loads and attaches the capture program, maps its
 * ring, and on one thread ({@link RingPump}) reads, decodes, enriches, numbers and hands each
 * decision to the sink.
 */
public final class BpfDecisionSource implements DecisionSource {

    private static final Logger LOG = LoggerFactory.getLogger(BpfDecisionSource.class);

    private final CollectorProbes probes;
    private final MappedRing ring;
    private final EpollWaiter waiter;
    private final Sequencer sequencer;
    private final CollectorMetrics metrics;
    private final List<Capability> capabilities;
    private final DecisionDecoder decoder = new DecisionDecoder();
    private final DecisionEnricher enricher;

    private BpfDecisionSource(CollectorProbes probes, MappedRing ring, EpollWaiter waiter, DecisionEnricher enricher,
            Sequencer sequencer, CollectorMetrics metrics, List<Capability> capabilities) {
        this.probes = probes;
        this.ring = ring;
        this.waiter = waiter;
        this.enricher = enricher;
        this.sequencer = sequencer;
        this.metrics = metrics;
        this.capabilities = capabilities;
    }

    /**
     * Loads, attaches and maps everything, or fails saying why (no cgroup2 mount, no BPF object in
     * this build, the kernel refused the program, not root).
     */
    public static BpfDecisionSource open(String node, String bootId, long nextSeq, CollectorMetrics metrics)
            throws Exception {
        List<KernelCapability> probed = KernelCapabilities.probe();
        Path mount = Cgroup2Mount.find().orElseThrow(() -> new IllegalStateException(
                "no cgroup2 mount in /proc/self/mountinfo: cgroup v2 is required to capture decisions"));
        CollectorProbes probes = CollectorProbes.load(LibBpf.load(), SyscallNumbers.host());
        MappedRing ring = null;
        EpollWaiter waiter = null;
        try {
            probes.attach();
            ring = MappedRing.map(probes.ringFd(), probes.ringSize());
            waiter = EpollWaiter.open(probes.ringFd());
        } catch (Exception e) {
            if (ring != null) {
                ring.close();
            }
            probes.close();
            throw e;
        }
        DecisionEnricher enricher = new DecisionEnricher(node, bootId, CollectorVersion.get(), KernelClock.system(),
                new CgroupPathResolver(mount), ProcessInfo.system());
        LOG.info("capturing cgroup attach decisions: ring {} KiB, cgroup2 at {}, seq from {}",
                probes.ringSize() >> 10, mount, nextSeq);
        return new BpfDecisionSource(probes, ring, waiter, enricher, new Sequencer(nextSeq), metrics,
                probed.stream().map(KernelCapability::toCapability).toList());
    }

    @Override
    public void run(DecisionSink sink, BooleanSupplier stop) {
        RingBufferReader reader = new RingBufferReader(ring, record -> {
            metrics.recordsRead.increment();
            if (sink.accept(enricher.enrich(decoder.decode(record), sequencer.next()))) {
                metrics.decisions.increment();
            }
        });
        new RingPump(reader, waiter).run(stop, pass -> {
            account(pass);
            sink.flush();
        });
    }

    private void account(ConsumeResult pass) {
        // A record that did not decode, or whose handling failed, is a decision lost here: count it.
        long failed = pass.decodeErrors() + pass.handlerErrors() + pass.corruptions();
        if (failed > 0) {
            metrics.decodeErrors.add(failed);
            pass.errors().forEach(e -> LOG.warn("ring record not delivered: {}", e.toString()));
        }
    }

    @Override
    public Sequencer sequencer() {
        return sequencer;
    }

    @Override
    public CollectorHealth health() {
        return new CollectorHealth() {
            @Override
            public Map<String, Long> ringLostByType() {
                try {
                    LostCounters lost = probes.lost();
                    Map<String, Long> byType = new LinkedHashMap<>();
                    byType.put("decision", lost.ringReserveFailures(RecordLayout.REC_DECISION));
                    byType.put("pending-map-full", lost.pendingMapFull());
                    return byType;
                } catch (BpfException e) {
                    LOG.warn("cannot read the kernel's lost counters: {}", e.getMessage());
                    return Map.of();
                }
            }

            @Override
            public List<Capability> capabilities() {
                return capabilities;
            }
        };
    }

    @Override
    public void close() {
        waiter.close();
        ring.close();
        probes.close();
    }
}
