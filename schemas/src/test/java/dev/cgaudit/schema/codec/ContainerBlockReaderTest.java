package dev.cgaudit.schema.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.codec.DecodeException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class ContainerBlockReaderTest {

    static final EventCodec<AttachDecision> CODEC = EventCodec.of(AttachDecision.class);

    /** A block's raw bytes and how many datums it holds. */
    record Block(byte[] bytes, long count) {
    }

    @Test
    void each_datum_becomes_its_event_and_the_message_encode_would_give() throws Exception {
        List<AttachDecision> written = decisions(700, 1);
        List<AttachDecision> events = new ArrayList<>();
        List<byte[]> messages = new ArrayList<>();
        ContainerBlockReader<AttachDecision> reader = CODEC.containerBlockReader(CODEC.schema()).orElseThrow();
        List<Block> blocks = blocks(file(written, CodecFactory.deflateCodec(1), 8_192));
        assertThat(blocks).as("several blocks").hasSizeGreaterThan(2);
        for (Block block : blocks) {
            reader.read(block.bytes(), block.count(), (event, message) -> {
                events.add(event);
                messages.add(message);
            });
        }
        assertThat(events).containsExactlyElementsOf(written);
        for (int i = 0; i < written.size(); i++) {
            assertThat(messages.get(i)).as("message %d", i).isEqualTo(CODEC.encode(written.get(i)));
        }
    }

    @Test
    void bytes_left_after_the_last_datum_are_trailing_bytes() throws IOException {
        Block block = blocks(file(decisions(5, 2), CodecFactory.nullCodec(), 1 << 20)).get(0);
        byte[] longer = Arrays.copyOf(block.bytes(), block.bytes().length + 1);
        assertThatThrownBy(() -> read(longer, block.count()))
                .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRAILING_BYTES));
    }

    @Test
    void a_block_cut_short_is_a_malformed_body_and_says_which_datum() throws IOException {
        Block block = blocks(file(decisions(5, 3), CodecFactory.nullCodec(), 1 << 20)).get(0);
        byte[] cut = Arrays.copyOf(block.bytes(), block.bytes().length - 3);
        assertThatThrownBy(() -> read(cut, block.count()))
                .isInstanceOfSatisfying(DecodeException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.MALFORMED_BODY);
                    assertThat(e.getMessage()).contains("datum 4 of a block of 5");
                });
    }

    @Test
    void a_block_claiming_more_datums_than_it_holds_is_a_malformed_body() throws IOException {
        Block block = blocks(file(decisions(5, 4), CodecFactory.nullCodec(), 1 << 20)).get(0);
        assertThatThrownBy(() -> read(block.bytes(), block.count() + 1))
                .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_BODY));
    }

    @Test
    void a_file_of_another_writer_schema_gets_no_block_reader() {
        Schema other = new Schema.Parser().parse(CODEC.schema().toString().replace("\"AttachDecision\"", "\"OtherDecision\""));
        assertThat(CODEC.containerBlockReader(other)).isEmpty();
        assertThat(CODEC.containerBlockReader(CODEC.schema())).isPresent();
    }

    private static void read(byte[] block, long count) throws Exception {
        CODEC.containerBlockReader(CODEC.schema()).orElseThrow().read(block, count, (event, message) -> { });
    }

    private static List<AttachDecision> decisions(int n, long seed) {
        RandomEvents random = new RandomEvents(seed);
        List<AttachDecision> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(random.decision());
        }
        return out;
    }

    private static byte[] file(List<AttachDecision> decisions, CodecFactory compression, int syncInterval) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataFileWriter<AttachDecision> writer = new DataFileWriter<>(new SpecificDatumWriter<>(AttachDecision.class))) {
            writer.setCodec(compression);
            writer.setSyncInterval(syncInterval);
            writer.create(CODEC.schema(), out);
            for (AttachDecision d : decisions) {
                writer.append(d);
            }
        }
        return out.toByteArray();
    }

    private static List<Block> blocks(byte[] file) throws IOException {
        List<Block> blocks = new ArrayList<>();
        try (DataFileStream<AttachDecision> stream = new DataFileStream<>(new ByteArrayInputStream(file),
                CODEC.containerFileReader())) {
            while (stream.hasNext()) {
                long count = stream.getBlockCount();
                ByteBuffer b = stream.nextBlock();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                blocks.add(new Block(bytes, count));
            }
        }
        return blocks;
    }
}
