package dev.cgaudit.collector.enrich;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Maps cgroup ids to paths relative to the cgroup2 mount. A cgroup id is the kernfs node id, which
 * is the inode number of the cgroup's directory on the mount, so the mount itself is the index:
 * walk it once, cache, and walk again on a miss (cgroups come and go). A miss that survives a fresh
 * walk is remembered briefly, so a burst of decisions about a removed cgroup costs one walk.
 */
public final class CgroupPathResolver {

    /** A path, or why there is none. */
    public record Resolution(String path, String error) {
        static Resolution of(String path) {
            return new Resolution(path, null);
        }

        static Resolution unresolved(String error) {
            return new Resolution(null, error);
        }
    }

    private static final long NEGATIVE_TTL_NANOS = 1_000_000_000L;

    private final Path mount;
    private final LongSupplier nanoTime;
    private final Map<Long, String> pathById = new ConcurrentHashMap<>();
    private final Map<Long, Long> missSince = new ConcurrentHashMap<>();
    private volatile long walks;
    private volatile String walkError;

    public CgroupPathResolver(Path mount) {
        this(mount, System::nanoTime);
    }

    CgroupPathResolver(Path mount, LongSupplier nanoTime) {
        this.mount = mount;
        this.nanoTime = nanoTime;
    }

    public Path mount() {
        return mount;
    }

    public Resolution pathOf(long cgroupId) {
        String path = pathById.get(cgroupId);
        if (path != null) {
            return Resolution.of(path);
        }
        Long missedAt = missSince.get(cgroupId);
        long now = nanoTime.getAsLong();
        if (missedAt == null || now - missedAt > NEGATIVE_TTL_NANOS) {
            walk();
            path = pathById.get(cgroupId);
            if (path != null) {
                missSince.remove(cgroupId);
                return Resolution.of(path);
            }
            missSince.put(cgroupId, now);
        }
        String error = walkError;
        return Resolution.unresolved("cgroup " + cgroupId + " not found under " + mount
                + (error == null ? " (removed before lookup?)" : ": " + error));
    }

    /** Teaches the cache a pair the kernel reported itself (the attach tracepoint's path). */
    public void learn(long cgroupId, String relativePath) {
        pathById.put(cgroupId, relativePath);
        missSince.remove(cgroupId);
    }

    /** The id of a cgroup directory given by its absolute path on the mount. */
    public OptionalLong idOf(Path directory) {
        try {
            Object ino = Files.getAttribute(directory, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            long id = ((Number) ino).longValue();
            relativePath(directory).ifPresent(p -> learn(id, p));
            return OptionalLong.of(id);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return OptionalLong.empty();
        }
    }

    /** "/a/b" for mount/a/b, "/" for the mount itself; empty when the path is not on the mount. */
    public Optional<String> relativePath(Path absolute) {
        Path normal = absolute.normalize();
        if (!normal.startsWith(mount)) {
            return Optional.empty();
        }
        Path rel = mount.relativize(normal);
        return Optional.of(rel.toString().isEmpty() ? "/" : "/" + rel);
    }

    /** How many full walks of the mount were made; a cache that works keeps this small. */
    public long walks() {
        return walks;
    }

    private synchronized void walk() {
        walks++;
        try {
            Files.walkFileTree(mount, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    OptionalLong ino = inodeOf(dir);
                    if (ino.isPresent()) {
                        relativePath(dir).ifPresent(p -> pathById.put(ino.getAsLong(), p));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    // A cgroup removed while we walk is normal; keep walking.
                    return FileVisitResult.CONTINUE;
                }
            });
            walkError = null;
        } catch (IOException e) {
            // The mount itself is unreadable: every lookup says unresolved, and why.
            walkError = e.toString();
        }
    }

    private static OptionalLong inodeOf(Path dir) {
        try {
            return OptionalLong.of(((Number) Files.getAttribute(dir, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue());
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return OptionalLong.empty();
        }
    }
}
