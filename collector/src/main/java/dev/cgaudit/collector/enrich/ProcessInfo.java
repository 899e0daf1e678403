package dev.cgaudit.collector.enrich;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What /proc still knows about a process; short-lived writers are often gone before we ask. */
public final class ProcessInfo {

    private static final int EXE_CACHE_ENTRIES = 4096;

    private record CachedExe(int execId, String exe) {
    }

    private final Path proc;
    /**
     * exe per tgid, valid for one exec of it: the kernel reports the group leader's exec counter
     * with every decision, so a busy writer (systemd, containerd) costs one readlink, not one per
     * decision, and an execve is never answered with the old binary. LRU, reader thread only.
     */
    private final Map<Integer, CachedExe> exeByTgid = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, CachedExe> eldest) {
            return size() > EXE_CACHE_ENTRIES;
        }
    };

    public ProcessInfo(Path proc) {
        this.proc = proc;
    }

    /**
     * The executable of {@code tgid} in the exec generation {@code execId} (the kernel's
     * self_exec_id of its group leader), cached.
     */
    public Optional<String> exe(int tgid, int execId) {
        CachedExe cached = exeByTgid.get(tgid);
        if (cached != null && cached.execId() == execId) {
            return Optional.of(cached.exe());
        }
        Optional<String> exe = exe(tgid);
        exe.ifPresent(path -> exeByTgid.put(tgid, new CachedExe(execId, path)));
        return exe;
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
