package dev.cgaudit.sink.archive;

import dev.cgaudit.schema.AttachDecision;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Where the archive puts decisions, and how a reader finds them (the contract with
 * {@code cgaudit replay --input DIR}; {@code sink/README.md} states the same):
 *
 * <pre>
 * DIR/date=YYYY-MM-DD/node=NAME/decisions-&lt;uuid&gt;-&lt;counter&gt;.avro
 * </pre>
 *
 * The date is the decision's {@code timestamp} in UTC; NAME is the node with every byte outside
 * {@code [A-Za-z0-9._-]} percent-encoded (UTF-8), so any node name gives one safe folder name.
 * Files being written, and Flink's bookkeeping, start with {@code .} or {@code _}: a reader walks
 * DIR recursively, takes regular files ending in {@code .avro} and skips every file or folder
 * whose name starts with {@code .} or {@code _}.
 */
public final class ArchiveLayout {

    public static final String PART_PREFIX = "decisions";
    public static final String PART_SUFFIX = ".avro";

    private ArchiveLayout() {
    }

    /** The bucket (relative folder) of a decision: {@code date=YYYY-MM-DD/node=NAME}. */
    public static String bucket(Instant timestamp, String node) {
        LocalDate day = LocalDate.ofInstant(timestamp, ZoneOffset.UTC);
        return "date=" + day + "/node=" + encodeNode(node);
    }

    /**
     * A writer of one archive file onto {@code out}: an Avro object container file of the current
     * AttachDecision schema, deflated (the archive outlives Kafka's retention, and decisions are
     * repetitive text that compresses several times over). Closing the writer closes {@code out}.
     */
    public static DataFileWriter<AttachDecision> fileWriter(OutputStream out) throws IOException {
        DataFileWriter<AttachDecision> writer = new DataFileWriter<>(new SpecificDatumWriter<>(AttachDecision.class));
        writer.setCodec(CodecFactory.deflateCodec(6));
        writer.create(AttachDecision.getClassSchema(), out);
        return writer;
    }

    /** The node name as a folder name: bytes outside {@code [A-Za-z0-9._-]} become {@code %XX}. */
    public static String encodeNode(String node) {
        StringBuilder out = new StringBuilder(node.length());
        for (byte b : node.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (safe) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        // "." and ".." alone would be folder tricks, and a leading '.' or '_' would hide the folder
        if (out.length() > 0 && (out.charAt(0) == '.' || out.charAt(0) == '_')) {
            out.replace(0, 1, String.format("%%%02X", (int) out.charAt(0)));
        }
        return out.toString();
    }

    /** Every finished archive file under {@code dir}, sorted by path. */
    public static List<Path> finishedFiles(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(PART_SUFFIX))
                    .filter(p -> notHidden(dir.relativize(p)))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean notHidden(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.startsWith(".") || name.startsWith("_")) {
                return false;
            }
        }
        return true;
    }
}
