package dev.cgaudit.collector.enforce;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process' effective uid, from {@code /proc/self/status} (user.name says nothing about capabilities). */
final class ProcessIdentity {

    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessIdentity() {
    }

    /** The effective uid, or -1 when /proc cannot tell. */
    static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("Uid:")) {
                    // Uid: real effective saved filesystem
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
