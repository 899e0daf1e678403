package dev.cgaudit.schema.codec;

import dev.cgaudit.schema.codec.DecodeException.Reason;
import java.io.IOException;
import java.util.Arrays;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads the blocks of an Avro object container file written with a codec's own schema: each datum
 * becomes its event and its single-object message, the datum's bytes behind the codec's header,
 * copied as they are. That is what {@link EventCodec#encode} of the event would give, without
 * encoding it again: a replay of the archive reads a decision once and carries its bytes on.
 *
 * <p>Each datum is read by the codec's compiled reader, which checks it as {@link EventCodec#decode}
 * checks a message, so the messages may be read later with {@link EventCodec#decodeAccepted}. A
 * datum the compiled reader leaves undecided (a hand-made block size inside it, see
 * {@link CompiledDatumReader.Undecided}) and the rest of its block are read by Avro's reader and
 * encoded, as an object-at-a-time reader of the file would have. A block must hold exactly its
 * datums: bytes left after the last are TRAILING_BYTES.
 *
 * <p>Get one from {@link EventCodec#containerBlockReader}; one per thread (it keeps a decoder).
 */
public final class ContainerBlockReader<T extends SpecificRecord> {

    /** Where each datum of a block goes, in order. */
    @FunctionalInterface
    public interface Sink<T> {
        void accept(T event, byte[] message) throws IOException;
    }

    private final EventCodec<T> codec;
    private final CompiledDatumReader compiled;
    private final SpecificDatumReader<T> avro;
    private final byte[] header;
    private BinaryDecoder decoder;

    ContainerBlockReader(EventCodec<T> codec, CompiledDatumReader compiled, SpecificDatumReader<T> avro, byte[] header) {
        this.codec = codec;
        this.compiled = compiled;
        this.avro = avro;
        this.header = header;
    }

    /**
     * Reads the {@code count} datums of one block ({@code block}: its bytes after decompression, all
     * of them) into {@code sink}, in order.
     *
     * @throws DecodeException a datum that is not a valid body, or bytes left after the last
     */
    public void read(byte[] block, long count, Sink<T> sink) throws DecodeException, IOException {
        BodyInput in = new BodyInput(block, 0, false);
        for (long i = 0; i < count; i++) {
            int start = in.pos;
            Object datum;
            try {
                datum = compiled.readNext(in, i, count);
            } catch (CompiledDatumReader.Undecided e) {
                readWithAvro(block, start, count - i, sink);
                return;
            }
            sink.accept(codec.type().cast(datum), message(block, start, in.pos));
        }
        if (in.pos != block.length) {
            throw new DecodeException(Reason.TRAILING_BYTES, (block.length - in.pos) + " bytes left after the "
                    + count + " datums of a block of " + block.length + " bytes");
        }
    }

    private byte[] message(byte[] block, int from, int to) {
        byte[] message = Arrays.copyOf(header, header.length + (to - from));
        System.arraycopy(block, from, message, header.length, to - from);
        return message;
    }

    private void readWithAvro(byte[] block, int from, long count, Sink<T> sink) throws DecodeException, IOException {
        decoder = DecoderFactory.get().binaryDecoder(block, from, block.length - from, decoder);
        for (long i = 0; i < count; i++) {
            T event;
            try {
                event = avro.read(null, decoder);
            } catch (IOException | RuntimeException e) {
                throw new DecodeException(Reason.MALFORMED_BODY, "cannot decode datum " + i + " of the last "
                        + count + " of a block: " + e, e);
            }
            sink.accept(event, codec.encode(event));
        }
        if (!decoder.isEnd()) {
            throw new DecodeException(Reason.TRAILING_BYTES, "bytes left after the datums of a block of "
                    + block.length + " bytes");
        }
    }
}
