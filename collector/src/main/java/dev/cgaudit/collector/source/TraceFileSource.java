package dev.cgaudit.collector.source;

import dev.cgaudit.collector.CollectorMetrics;
import dev.cgaudit.collector.publish.DecisionSink;
import dev.cgaudit.collector.status.CollectorHealth;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.json.JsonLineException;
import dev.cgaudit.schema.json.JsonLines;
import dev.cgaudit.schema.json.JsonLinesReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * {@code --source FILE}: plays a recorded JSON Lines trace instead of the kernel. Decisions are
 * delivered as recorded (their node, seq and time), so a capture replays exactly. The whole file
 * is checked first: a bad line stops the run before anything is published, never half-way.
 */
public final class TraceFileSource implements DecisionSource {

    private static final int FLUSH_EVERY = 1_000;

    private final Path file;
    private final CollectorMetrics metrics;
    private final JsonLines<AttachDecision> format = JsonLines.of(AttachDecision.class);

    public TraceFileSource(Path file, CollectorMetrics metrics) {
        this.file = file;
        this.metrics = metrics;
    }

    /** Reads the whole trace once; the first bad line fails with its file, line and field. */
    public long validate() throws IOException, JsonLineException {
        long count = 0;
        try (JsonLinesReader<AttachDecision> reader = JsonLinesReader.open(format, file)) {
            while (reader.next().isPresent()) {
                count++;
            }
        }
        return count;
    }

    @Override
    public void run(DecisionSink sink, BooleanSupplier stop) throws IOException, JsonLineException {
        try (JsonLinesReader<AttachDecision> reader = JsonLinesReader.open(format, file)) {
            long sinceFlush = 0;
            for (Optional<AttachDecision> next = reader.next(); next.isPresent() && !stop.getAsBoolean();
                    next = reader.next()) {
                metrics.recordsRead.increment();
                if (sink.accept(next.get())) {
                    metrics.decisions.increment();
                }
                if (++sinceFlush == FLUSH_EVERY) {
                    sink.flush();
                    sinceFlush = 0;
                }
            }
        }
        sink.flush();
    }

    @Override
    public CollectorHealth health() {
        return CollectorHealth.NONE;
    }
}
