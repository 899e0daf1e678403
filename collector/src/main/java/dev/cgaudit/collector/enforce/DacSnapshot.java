package dev.cgaudit.collector.enforce;

import java.util.List;
import java.util.Map;

/**
 * The files the dac backend controls after its latest pass, by {@link ControlledFile#key}, each with
 * the enforce rules that cover it. Immutable: the backend publishes a new one per pass and the
 * reader thread looks decisions up in whichever it sees.
 */
record DacSnapshot(Map<String, Controlled> files) {

    static final DacSnapshot EMPTY = new DacSnapshot(Map.of());

    /** One controlled file and the rules (enforce versions) whose subtree contains it. */
    record Controlled(ControlledFile file, List<EnforcedRule> rules) {
    }

    DacSnapshot {
        files = Map.copyOf(files);
    }

    Controlled get(String cgroup, String file) {
        return files.get(ControlledFile.key(cgroup, file));
    }

    boolean isEmpty() {
        return files.isEmpty();
    }
}
