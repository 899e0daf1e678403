package dev.cgaudit.processor.replay;

import static dev.cgaudit.processor.Moves.T0;
import static dev.cgaudit.processor.Moves.denied;
import static dev.cgaudit.processor.Moves.move;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cgaudit.processor.EncodedDecision;
import dev.cgaudit.processor.EventTime;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.schema.json.JsonLines;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecisionFileFormatTest {

    static final EventCodec<AttachDecision> CODEC = EventCodec.of(AttachDecision.class);

    @TempDir
    Path dir;

    @Test
    void an_archive_file_and_a_json_lines_file_of_the_same_decisions_read_the_same() throws IOException {
        List<AttachDecision> decisions = decisions(3_000);
        Path avro = avro(dir.resolve("archive.avro"), decisions, CodecFactory.deflateCodec(1));
        Path json = dir.resolve("capture.jsonl");
        JsonLines<AttachDecision> lines = JsonLines.of(AttachDecision.class);
        Files.write(json, decisions.stream().map(lines::write).toList(), StandardCharsets.UTF_8);

        assertCarried(read(avro), decisions);
        assertCarried(read(json), decisions);
    }

    @Test
    void a_file_of_another_schema_version_is_read_as_objects_into_the_current_form() throws IOException {
        // A later writer that added a field (with a default): its datums are not current-schema bytes.
        Schema later = new Schema.Parser().parse(CODEC.schema().toString().replaceFirst(Pattern.quote("\"fields\":["),
                Matcher.quoteReplacement("\"fields\":[{\"name\":\"addedLater\",\"type\":\"string\",\"default\":\"\"},")));
        List<AttachDecision> decisions = decisions(500);
        Path file = dir.resolve("later.avro");
        GenericData model = new GenericData();
        model.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(later, model))) {
            writer.create(later, file.toFile());
            for (AttachDecision d : decisions) {
                GenericRecord r = new GenericData.Record(later);
                for (Schema.Field f : CODEC.schema().getFields()) {
                    r.put(f.name(), model.deepCopy(f.schema(), d.get(f.pos())));
                }
                r.put("addedLater", "x");
                writer.append(r);
            }
        }
        assertCarried(read(file), decisions);
    }

    @Test
    void a_truncated_archive_file_is_invalid_input_that_names_the_file() throws IOException {
        Path avro = avro(dir.resolve("cut.avro"), decisions(3_000), CodecFactory.nullCodec());
        byte[] bytes = Files.readAllBytes(avro);
        Files.write(avro, java.util.Arrays.copyOf(bytes, bytes.length - 40));
        assertThatThrownBy(() -> read(avro)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(avro.toString());
    }

    private static void assertCarried(List<EncodedDecision> read, List<AttachDecision> decisions) {
        assertThat(read).hasSameSizeAs(decisions);
        for (int i = 0; i < decisions.size(); i++) {
            AttachDecision d = decisions.get(i);
            EncodedDecision e = read.get(i);
            assertThat(e.message()).as("message %d", i).isEqualTo(CODEC.encode(d));
            assertThat(e.node()).isEqualTo(d.getNode());
            assertThat(e.eventId()).isEqualTo(d.getEventId());
            assertThat(e.seq()).isEqualTo(d.getSeq());
            assertThat(e.timestampMicros()).isEqualTo(EventTime.micros(d.getTimestamp()));
        }
    }

    private static List<AttachDecision> decisions(int n) {
        List<AttachDecision> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AttachDecision.Builder d = move("node-" + (i % 7), i / 7, T0.plusMillis(i), i % 5 == 0 ? null : "/a/" + i, "/b");
            out.add((i % 3 == 0 ? denied(d) : d).build());
        }
        return out;
    }

    private static Path avro(Path file, List<AttachDecision> decisions, CodecFactory compression) throws IOException {
        try (DataFileWriter<AttachDecision> writer = new DataFileWriter<>(new SpecificDatumWriter<>(AttachDecision.class))) {
            writer.setCodec(compression);
            writer.setSyncInterval(4_096);   // several blocks
            writer.create(CODEC.schema(), file.toFile());
            for (AttachDecision d : decisions) {
                writer.append(d);
            }
        }
        return file;
    }

    private static List<EncodedDecision> read(Path file) throws IOException {
        long length = Files.size(file);
        FileSourceSplit split = new FileSourceSplit("0", new org.apache.flink.core.fs.Path(file.toUri()), 0, length, 0, length);
        List<EncodedDecision> out = new ArrayList<>();
        try (BulkFormat.Reader<EncodedDecision> reader = new DecisionFileFormat().createReader(new Configuration(), split)) {
            for (BulkFormat.RecordIterator<EncodedDecision> batch; (batch = reader.readBatch()) != null; ) {
                for (RecordAndPosition<EncodedDecision> r; (r = batch.next()) != null; ) {
                    out.add(r.getRecord());
                }
                batch.releaseBatch();
            }
        }
        return out;
    }
}
