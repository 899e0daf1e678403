package dev.cgaudit.processor.replay;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.schema.json.JsonLineException;
import dev.cgaudit.schema.json.JsonLines;
import dev.cgaudit.schema.json.JsonLinesReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.avro.file.DataFileStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.Path;

/**
 * Decision files for replay: Avro object container files (the archive; recognised by their
 * {@code Obj\1} magic) or JSON Lines (captures, {@code --sink stdout}, hand-edited traces). A bulk
 * format rather than a stream format because only the split knows the file's path, and a bad line
 * must be reported as {@code file:line: field ...}.
 */
public final class DecisionFileFormat implements BulkFormat<AttachDecision, FileSourceSplit> {

    private static final int BATCH = 1024;
    private static final byte[] AVRO_MAGIC = {'O', 'b', 'j', 1};

    @Override
    public Reader<AttachDecision> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return open(split, 0);
    }

    @Override
    public Reader<AttachDecision> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        long skip = split.getReaderPosition().map(CheckpointedPosition::getRecordsAfterOffset).orElse(0L);
        return open(split, skip);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<AttachDecision> getProducedType() {
        return TypeInformation.of(AttachDecision.class);
    }

    private static Reader<AttachDecision> open(FileSourceSplit split, long skip) throws IOException {
        Path path = split.path();
        BufferedInputStream in = new BufferedInputStream(path.getFileSystem().open(path), 1 << 16);
        RecordSource source = isAvro(in) ? new AvroSource(in) : new JsonSource(in, path.getPath());
        FileReader reader = new FileReader(source);
        for (long i = 0; i < skip && source.next() != null; i++) {
            reader.read++;
        }
        return reader;
    }

    private static boolean isAvro(BufferedInputStream in) throws IOException {
        in.mark(AVRO_MAGIC.length);
        byte[] head = in.readNBytes(AVRO_MAGIC.length);
        in.reset();
        return java.util.Arrays.equals(head, AVRO_MAGIC);
    }

    /** A file's decisions one at a time; null at the end. */
    private interface RecordSource extends java.io.Closeable {
        AttachDecision next() throws IOException;
    }

    private static final class FileReader implements Reader<AttachDecision> {
        private final RecordSource source;
        private long read;

        FileReader(RecordSource source) {
            this.source = source;
        }

        @Override
        public RecordIterator<AttachDecision> readBatch() throws IOException {
            AttachDecision[] batch = new AttachDecision[BATCH];
            int n = 0;
            for (AttachDecision d; n < BATCH && (d = source.next()) != null; ) {
                batch[n++] = d;
            }
            if (n == 0) {
                return null;
            }
            ArrayResultIterator<AttachDecision> it = new ArrayResultIterator<>();
            it.set(batch, n, CheckpointedPosition.NO_OFFSET, read);
            read += n;
            return it;
        }

        @Override
        public void close() throws IOException {
            source.close();
        }
    }

    private static final class JsonSource implements RecordSource {
        private final JsonLinesReader<AttachDecision> reader;

        JsonSource(InputStream in, String name) {
            reader = new JsonLinesReader<>(JsonLines.of(AttachDecision.class),
                    new InputStreamReader(in, StandardCharsets.UTF_8), name);
        }

        @Override
        public AttachDecision next() throws IOException {
            try {
                Optional<AttachDecision> d = reader.next();
                return d.orElse(null);
            } catch (JsonLineException e) {
                // The message already names file, line and field; the CLI finds it in the cause chain.
                throw new InvalidInputException(e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    private static final class AvroSource implements RecordSource {
        private final DataFileStream<AttachDecision> stream;

        AvroSource(InputStream in) throws IOException {
            stream = new DataFileStream<>(in, EventCodec.of(AttachDecision.class).containerFileReader());
        }

        @Override
        public AttachDecision next() throws IOException {
            return stream.hasNext() ? stream.next() : null;
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }
}
