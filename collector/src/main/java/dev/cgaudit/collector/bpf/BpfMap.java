package dev.cgaudit.collector.bpf;

/** A loaded map: its name, kernel fd (owned by the {@link BpfObject}) and sizes. */
public record BpfMap(String name, int fd, int maxEntries, int valueSize) {
}
