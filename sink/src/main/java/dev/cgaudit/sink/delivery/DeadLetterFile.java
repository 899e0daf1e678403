package dev.cgaudit.sink.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Base64;

/**
 * Where a record goes when it could not be delivered: one JSON object a line with the time, the
 * target, the reason, the attempts, the Kafka position it came from, and the record itself (the
 * finding, or the raw bytes when the violation did not even decode), so an operator can fix the
 * cause and send it again.
 *
 * <p>A dead letter counts as handled: the consumer commits past it. So a write failure here is an
 * {@link IOException} the consumer must not swallow.
 */
public final class DeadLetterFile implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path path;
    private final Clock clock;
    private final FileChannel channel;

    public DeadLetterFile(Path path, Clock clock) throws IOException {
        this.path = path.toAbsolutePath();
        this.clock = clock;
        Path parent = this.path.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.channel = FileChannel.open(this.path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    public Path path() {
        return path;
    }

    /** Where a record came from, for the operator who resends it. */
    public record Source(String topic, int partition, long offset) {
    }

    /** A finding that {@code target} did not take. */
    public void write(Finding finding, String target, String reason, int attempts, Source source) throws IOException {
        ObjectNode letter = letter(target, reason, attempts, source);
        letter.put("violationId", finding.violationId());
        letter.set("finding", parse(finding.json()));
        append(letter);
    }

    /** A record that never became a finding (it did not decode); kept as its raw bytes. */
    public void writeUndecodable(byte[] value, String reason, Source source) throws IOException {
        ObjectNode letter = letter("decode", reason, 1, source);
        letter.put("valueBase64", value == null ? null : Base64.getEncoder().encodeToString(value));
        append(letter);
    }

    public void flush() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.force(false);
        channel.close();
    }

    private ObjectNode letter(String target, String reason, int attempts, Source source) {
        ObjectNode letter = MAPPER.createObjectNode();
        letter.put("time", clock.instant().toString());
        letter.put("target", target);
        letter.put("reason", reason);
        letter.put("attempts", attempts);
        letter.put("topic", source.topic());
        letter.put("partition", source.partition());
        letter.put("offset", source.offset());
        return letter;
    }

    private static JsonNode parse(String json) throws IOException {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IOException("finding is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private void append(ObjectNode letter) throws IOException {
        byte[] line = (MAPPER.writeValueAsString(letter) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(line);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
