package dev.cgaudit.sink.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Reading what the sink wrote. */
public final class Findings {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Findings() {
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of a JSON Lines file, parsed; none when it does not exist yet. Ignores a torn last line. */
    public static List<JsonNode> lines(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            if (end < 0) {
                return List.of();
            }
            return text.substring(0, end).lines().filter(l -> !l.isBlank()).map(Findings::parse)
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** finding_info.uid of each finding, in order, duplicates kept. */
    public static List<String> uids(List<JsonNode> findings) {
        return findings.stream().map(f -> f.at("/finding_info/uid").asText()).collect(Collectors.toList());
    }
}
