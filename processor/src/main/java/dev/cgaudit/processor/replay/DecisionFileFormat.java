package dev.cgaudit.processor.replay;

import dev.cgaudit.processor.EncodedDecision;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.codec.ContainerBlockReader;
import dev.cgaudit.schema.codec.DecodeException;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.schema.codec.EventWriter;
import dev.cgaudit.schema.json.JsonLineException;
import dev.cgaudit.schema.json.JsonLines;
import dev.cgaudit.schema.json.JsonLinesReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Optional;
import org.apache.avro.AvroRuntimeException;
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
 * {@code Obj\1} magic) or JSON Lines (captures, {@code --sink stdout}, hand-edited traces), read into
 * the form the job carries decisions in. A bulk format rather than a stream format because only the
 * split knows the file's path, and a bad line must be reported as {@code file:line: field ...}.
 *
 * <p>A container file written with the current AttachDecision schema (the archive's) is read block
 * by block ({@link ContainerBlockReader}): each datum is checked and decoded once and its bytes become
 * the carried message, with no encoding. Files of another schema version, and JSON Lines, are read
 * as objects and encoded.
 */
public final class DecisionFileFormat implements BulkFormat<EncodedDecision, FileSourceSplit> {

    private static final int BATCH = 1024;
    private static final byte[] AVRO_MAGIC = {'O', 'b', 'j', 1};

    @Override
    public Reader<EncodedDecision> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return open(split, 0);
    }

    @Override
    public Reader<EncodedDecision> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        long skip = split.getReaderPosition().map(CheckpointedPosition::getRecordsAfterOffset).orElse(0L);
        return open(split, skip);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<EncodedDecision> getProducedType() {
        return TypeInformation.of(EncodedDecision.class);
    }

    private static Reader<EncodedDecision> open(FileSourceSplit split, long skip) throws IOException {
        Path path = split.path();
        BufferedInputStream in = new BufferedInputStream(path.getFileSystem().open(path), 1 << 16);
        RecordSource source = isAvro(in) ? new AvroSource(in, path.getPath()) : new JsonSource(in, path.getPath());
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
        EncodedDecision next() throws IOException;
    }

    private static final class FileReader implements Reader<EncodedDecision> {
        private final RecordSource source;
        private long read;

        FileReader(RecordSource source) {
            this.source = source;
        }

        @Override
        public RecordIterator<EncodedDecision> readBatch() throws IOException {
            EncodedDecision[] batch = new EncodedDecision[BATCH];
            int n = 0;
            for (EncodedDecision d; n < BATCH && (d = source.next()) != null; ) {
                batch[n++] = d;
            }
            if (n == 0) {
                return null;
            }
            ArrayResultIterator<EncodedDecision> it = new ArrayResultIterator<>();
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
        private final EventWriter<AttachDecision> encoder = EventCodec.of(AttachDecision.class).writer();

        JsonSource(InputStream in, String name) {
            reader = new JsonLinesReader<>(JsonLines.of(AttachDecision.class),
                    new InputStreamReader(in, StandardCharsets.UTF_8), name);
        }

        @Override
        public EncodedDecision next() throws IOException {
            try {
                Optional<AttachDecision> d = reader.next();
                return d.map(decision -> EncodedDecision.of(decision, encoder.encode(decision))).orElse(null);
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
        private final String name;
        private final DataFileStream<AttachDecision> stream;
        private final EventWriter<AttachDecision> encoder;
        /** Present for a file of the current schema: its blocks are read whole, into {@link #pending}. */
        private final Optional<ContainerBlockReader<AttachDecision>> blocks;
        private final ArrayDeque<EncodedDecision> pending = new ArrayDeque<>();
        private long blocksRead;
        private long decisionsRead;

        AvroSource(InputStream in, String name) throws IOException {
            this.name = name;
            EventCodec<AttachDecision> codec = EventCodec.of(AttachDecision.class);
            try {
                stream = new DataFileStream<>(in, codec.containerFileReader());
            } catch (IOException | AvroRuntimeException e) {
                throw new InvalidInputException(name + ": not an Avro object container file of decisions: " + e.getMessage(), e);
            }
            encoder = codec.writer();
            blocks = codec.containerBlockReader(stream.getSchema());
        }

        @Override
        public EncodedDecision next() throws IOException {
            try {
                while (pending.isEmpty()) {
                    if (!stream.hasNext()) {
                        return null;
                    }
                    if (blocks.isEmpty()) {
                        AttachDecision d = stream.next();
                        decisionsRead++;
                        return EncodedDecision.of(d, encoder.encode(d));
                    }
                    long count = stream.getBlockCount();
                    ByteBuffer block = stream.nextBlock();
                    byte[] bytes = new byte[block.remaining()];
                    block.get(bytes);
                    blocks.get().read(bytes, count, (d, message) -> pending.add(EncodedDecision.of(d, message)));
                    blocksRead++;
                    decisionsRead += count;
                }
                return pending.poll();
            } catch (DecodeException e) {
                throw new InvalidInputException(name + ": block " + (blocksRead + 1) + " (after " + decisionsRead
                        + " decisions): " + e.getMessage(), e);
            } catch (IOException | AvroRuntimeException e) {
                throw new InvalidInputException(name + ": after " + decisionsRead + " decisions: not a whole Avro "
                        + "object container file of decisions: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }
}
