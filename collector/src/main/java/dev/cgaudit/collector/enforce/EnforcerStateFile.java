package dev.cgaudit.collector.enforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@code enforcer-state.json} in the collector's state folder (the spool): every file the dac
 * backend controls and its original owner, group and mode. Written before any file is changed,
 * removed from only after the file was restored, so at every instant it names at least every file
 * that differs from its original.
 *
 * <p>Each save replaces the whole file atomically: written to a temporary file, forced to disk,
 * renamed over the old one, and the folder forced, so a crash (SIGKILL, power loss) leaves either
 * the previous or the new content, never a torn one. A temporary file left by a crash is ignored.
 */
public final class EnforcerStateFile {

    public static final String NAME = "enforcer-state.json";
    static final int FORMAT = 1;

    private final Path file;
    private final Path temporary;
    private final ObjectMapper json = new ObjectMapper();

    public EnforcerStateFile(Path stateDir) {
        this.file = stateDir.resolve(NAME);
        this.temporary = stateDir.resolve(NAME + ".tmp");
    }

    public Path path() {
        return file;
    }

    /** The files under control; none when there is no state file. */
    public List<ControlledFile> load() throws EnforcerStateException {
        if (!Files.exists(file)) {
            return List.of();
        }
        JsonNode root;
        try {
            root = json.readTree(file.toFile());
        } catch (IOException e) {
            throw new EnforcerStateException(file, "unreadable; the original ownership of the files it lists is unknown"
                    + " (restore them by hand from a backup, then remove it)", e);
        }
        if (root == null || root.path("format").asInt(-1) != FORMAT || !root.path("files").isArray()) {
            throw new EnforcerStateException(file, "not an enforcer state file of format " + FORMAT, null);
        }
        List<ControlledFile> files = new ArrayList<>();
        for (JsonNode f : root.path("files")) {
            try {
                files.add(new ControlledFile(text(f, "cgroup"), text(f, "file"), f.path("cgroupId").asLong(),
                        new FileOwnership(f.path("uid").asLong(-1), f.path("gid").asLong(-1),
                                Integer.parseInt(text(f, "mode"), 8))));
            } catch (IllegalArgumentException e) {
                throw new EnforcerStateException(file, "entry " + f + " is invalid", e);
            }
        }
        return List.copyOf(files);
    }

    /** Replaces the state with {@code files}, durably (see the class comment). */
    public void save(Collection<ControlledFile> files) throws EnforcerStateException {
        ObjectNode root = json.createObjectNode();
        root.put("format", FORMAT);
        root.put("backend", DacBackend.NAME);
        ArrayNode list = root.putArray("files");
        for (ControlledFile f : files) {
            ObjectNode n = list.addObject();
            n.put("cgroup", f.cgroup());
            n.put("file", f.file());
            n.put("cgroupId", f.cgroupId());
            n.put("uid", f.original().uid());
            n.put("gid", f.original().gid());
            n.put("mode", String.format("%04o", f.original().mode()));
        }
        try {
            byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new EnforcerStateException(file, "the state folder does not support an atomic rename", e);
            }
            forceDirectory(file.getParent());
        } catch (IOException e) {
            throw new EnforcerStateException(file, "cannot be written; no file was changed after this point", e);
        }
    }

    /** The rename is durable only once the folder's entry is: fsync the directory (as Kafka's log does). */
    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' missing or not a string");
        }
        return v.asText();
    }
}
