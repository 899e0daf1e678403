package dev.cgaudit.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * A cgroup v2 subtree, named by its path relative to the cgroup2 mount ("/" is the root cgroup).
 * It contains the path itself and everything below it: {@code /a} contains {@code /a} and
 * {@code /a/b} but not {@code /ab}.
 *
 * <p>Only normalised absolute paths are subtrees (no trailing slash except "/", no empty, "." or
 * ".." segment), so that string prefix comparison is exact.
 */
public final class Subtree {

    public static final Subtree ROOT = new Subtree("/");

    private final String path;
    // path + "/" (or "/" for the root): precomputed so contains() allocates nothing on the hot path.
    private final String childPrefix;

    private Subtree(String path) {
        this.path = path;
        this.childPrefix = path.equals("/") ? "/" : path + "/";
    }

    /** @throws IllegalArgumentException naming what is wrong, when {@link #problem} finds something */
    public static Subtree of(String path) {
        Optional<String> problem = problem(path);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("invalid subtree '" + path + "': " + problem.get());
        }
        return path.equals("/") ? ROOT : new Subtree(path);
    }

    /** Why {@code path} is not a valid subtree, as a sentence that says what is expected; empty when valid. */
    public static Optional<String> problem(String path) {
        if (path == null || path.isEmpty()) {
            return Optional.of("expected an absolute cgroup path such as /system.slice, found nothing");
        }
        if (!path.startsWith("/")) {
            return Optional.of("expected an absolute cgroup path starting with '/' (relative to the cgroup2 mount)");
        }
        if (path.equals("/")) {
            return Optional.empty();
        }
        if (path.endsWith("/")) {
            return Optional.of("expected no trailing '/' (write " + path.replaceAll("/+$", "") + ")");
        }
        if (path.contains("//")) {
            return Optional.of("expected no empty segment ('//')");
        }
        for (String segment : path.substring(1).split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                return Optional.of("expected a normalised path without '.' or '..' segments");
            }
        }
        for (int i = 0; i < path.length(); i++) {
            if (Character.isISOControl(path.charAt(i))) {
                return Optional.of("expected no control characters");
            }
        }
        return Optional.empty();
    }

    public String path() {
        return path;
    }

    public boolean isRoot() {
        return this == ROOT;
    }

    /**
     * Whether {@code cgroupPath} is this subtree or lies below it. The caller must decide what an
     * unresolved (null) path means; this method refuses to guess.
     */
    public boolean contains(String cgroupPath) {
        Objects.requireNonNull(cgroupPath, "cgroupPath (an unresolved path must be handled by the caller)");
        return cgroupPath.equals(path) || cgroupPath.startsWith(childPrefix);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Subtree other && other.path.equals(path);
    }

    @Override
    public int hashCode() {
        return path.hashCode();
    }

    @Override
    public String toString() {
        return path;
    }
}
