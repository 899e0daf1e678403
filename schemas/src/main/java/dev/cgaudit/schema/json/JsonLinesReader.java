package dev.cgaudit.schema.json;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads a JSON Lines stream record by record, keeping line numbers so every error says where it is.
 * Blank lines are skipped: a capture edited by hand often gains them.
 */
public final class JsonLinesReader<T extends SpecificRecord> implements Closeable {

    private final JsonLines<T> format;
    private final BufferedReader in;
    private final String source;
    private long lineNumber;

    public JsonLinesReader(JsonLines<T> format, Reader in, String source) {
        this.format = format;
        this.in = in instanceof BufferedReader ? (BufferedReader) in : new BufferedReader(in);
        this.source = source;
    }

    public static <T extends SpecificRecord> JsonLinesReader<T> open(JsonLines<T> format, Path file)
            throws IOException {
        return new JsonLinesReader<>(format, Files.newBufferedReader(file, StandardCharsets.UTF_8), file.toString());
    }

    /** All records of a file; the first bad line aborts with its file, line and field. */
    public static <T extends SpecificRecord> List<T> readAll(JsonLines<T> format, Path file)
            throws IOException, JsonLineException {
        try (JsonLinesReader<T> reader = open(format, file)) {
            List<T> all = new ArrayList<>();
            for (Optional<T> next = reader.next(); next.isPresent(); next = reader.next()) {
                all.add(next.get());
            }
            return all;
        }
    }

    /** The next record, or empty at the end of the stream. */
    public Optional<T> next() throws IOException, JsonLineException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                return Optional.empty();
            }
            lineNumber++;
        } while (line.isBlank());
        try {
            return Optional.of(format.read(line));
        } catch (JsonLineException e) {
            throw e.at(source, lineNumber);
        }
    }

    /** Line number of the record last returned (1-based). */
    public long lineNumber() {
        return lineNumber;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
