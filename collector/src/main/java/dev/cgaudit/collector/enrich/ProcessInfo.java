package dev.cgaudit.collector.enrich;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** What /proc still knows about a process; short-lived writers are often gone before we ask. */
public final class ProcessInfo {

    private final Path proc;

    public ProcessInfo(Path proc) {
        this.proc = proc;
    }

    public static ProcessInfo system() {
        return new ProcessInfo(Path.of("/proc"));
    }

    /** Executable path of a live process; empty when it exited or is a kernel thread. */
    public Optional<String> exe(int tgid) {
        try {
            String target = Files.readSymbolicLink(proc.resolve(Integer.toString(tgid)).resolve("exe")).toString();
            // The kernel appends " (deleted)" when the binary was replaced; the path is still the best answer.
            return Optional.of(target);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** Current working directory of a live process, to resolve a relative path it opened. */
    public Optional<Path> cwd(int tgid) {
        try {
            return Optional.of(Files.readSymbolicLink(proc.resolve(Integer.toString(tgid)).resolve("cwd")));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** Path of a directory the process holds open as fd (openat's dirfd). */
    public Optional<Path> fdPath(int tgid, int fd) {
        try {
            return Optional.of(Files.readSymbolicLink(
                    proc.resolve(Integer.toString(tgid)).resolve("fd").resolve(Integer.toString(fd))));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }
}
