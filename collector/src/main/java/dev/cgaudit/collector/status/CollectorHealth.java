package dev.cgaudit.collector.status;

import dev.cgaudit.schema.Capability;
import java.util.List;
import java.util.Map;

/**
 * What only the decision source knows about its own health: for the BPF source the kernel's lost
 * counters and probed capabilities, for a trace file nothing.
 */
public interface CollectorHealth {

    /** Records the kernel could not put into the ring, per record type, since load. */
    Map<String, Long> ringLostByType();

    /** What this node can observe and enforce. */
    List<Capability> capabilities();

    CollectorHealth NONE = new CollectorHealth() {
        @Override
        public Map<String, Long> ringLostByType() {
            return Map.of();
        }

        @Override
        public List<Capability> capabilities() {
            return List.of();
        }
    };
}
