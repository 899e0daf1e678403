package dev.cgaudit.collector.enrich;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's boot id: seq restarts with each boot, so (node, bootId, seq) names a decision. */
public final class BootId {

    public static final Path PROC_BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    private BootId() {
    }

    public static String read() {
        return read(PROC_BOOT_ID);
    }

    static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the boot id from " + file, e);
        }
    }
}
