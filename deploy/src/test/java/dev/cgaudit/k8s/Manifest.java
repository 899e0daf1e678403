package dev.cgaudit.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** One YAML document of a manifest file, named by file and position for error messages. */
record Manifest(String file, int index, ObjectNode doc) {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Every document of every {@code *.yaml} in {@code dir}, in file order. */
    static List<Manifest> loadAll(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Manifest> all = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().collect(Collectors.toList())) {
                all.addAll(load(file));
            }
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Manifest> load(Path file) throws IOException {
        List<Manifest> docs = new ArrayList<>();
        int i = 0;
        for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll()) {
            if (doc == null || doc.isNull() || doc.isMissingNode()) {
                continue;
            }
            if (!doc.isObject()) {
                throw new IllegalStateException(file.getFileName() + " document " + i + " is not a mapping");
            }
            docs.add(new Manifest(file.getFileName().toString(), i++, (ObjectNode) doc));
        }
        return docs;
    }

    String kind() {
        return doc.path("kind").asText();
    }

    String name() {
        return doc.path("metadata").path("name").asText();
    }

    /** How errors name this document: {@code file.yaml (Kind name)}. */
    String where() {
        return file + " (" + (kind().isEmpty() ? "document " + index : kind() + " " + name()) + ")";
    }

    /** A deep copy, for tests that break a manifest on purpose. */
    Manifest copy() {
        return new Manifest(file, index, doc.deepCopy());
    }
}
