package dev.cgaudit.schema.codec;

import dev.cgaudit.schema.codec.DecodeException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding of one event type: {@code C3 01}, the writer schema's 8-byte
 * little-endian CRC-64-AVRO fingerprint, then the binary body. Every message thus names its writer
 * schema, and a reader resolves it against the current schema, so messages written by any kept
 * version stay readable after the schema evolves.
 *
 * <p>A message written with the current schema is read by {@link CompiledDatumReader} in one pass;
 * any other version through Avro's resolving reader, after a structure walk.
 *
 * <p>Thread-safe: encoders and decoders are per call, datum readers are cached per writer schema.
 * A thread that encodes many events takes an {@link #writer()}, which reuses its buffers.
 */
public final class EventCodec<T extends SpecificRecord> {

    static final byte MARKER_0 = (byte) 0xC3;
    static final byte MARKER_1 = (byte) 0x01;
    static final int HEADER_LENGTH = 10;

    private final Class<T> type;
    private final Schema schema;
    private final SpecificData model;
    private final SchemaStore store;
    private final byte[] header;
    private final SpecificDatumWriter<T> writer;
    /** The same bytes as {@link #writer}, faster; empty for a schema it cannot compile. */
    private final Optional<CompiledDatumWriter> compiled;
    private final Map<Long, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();
    private final long fingerprint;
    /**
     * One pass over a body written with {@link #schema}, accepting and rejecting what the Avro
     * path does; empty for a schema it cannot compile, or when the store does not know this
     * schema (the Avro path then rejects its messages as UNKNOWN_SCHEMA, and so must we).
     */
    private final Optional<CompiledDatumReader> compiledReader;

    private EventCodec(Class<T> type, SchemaStore store) {
        this.type = type;
        this.model = readingModel(SpecificData.getForClass(type), type);
        this.schema = model.getSchema(type);
        this.store = store;
        this.fingerprint = SchemaStore.fingerprint(schema);
        this.header = header(fingerprint);
        this.writer = new SpecificDatumWriter<>(schema, model);
        this.compiled = CompiledDatumWriter.compile(schema, model);
        // A stored schema of the same fingerprint differs at most in docs, defaults, aliases or
        // logical types, none of which change the bytes or (read with our schema) the result.
        this.compiledReader = store.findByFingerprint(fingerprint).isPresent()
                ? CompiledDatumReader.compile(schema, model) : Optional.empty();
    }

    /**
     * One codec per event class and JVM (a codec is thread-safe): each {@link #of(Class)} used to
     * compile the schema into new reader and writer nodes, with hidden classes of their own, and
     * Flink makes a serializer or deserializer, each with its codec, per operator, channel and
     * duplicate. The JIT then compiled, and profiled megamorphic, what was the same code again.
     */
    private static final ClassValue<EventCodec<?>> BUNDLED = new ClassValue<>() {
        @Override
        protected EventCodec<?> computeValue(Class<?> type) {
            return create(type.asSubclass(SpecificRecord.class));
        }
    };

    /** The codec for a generated event class that reads every version bundled in this jar. */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> EventCodec<T> of(Class<T> type) {
        return (EventCodec<T>) BUNDLED.get(type);
    }

    private static <T extends SpecificRecord> EventCodec<T> create(Class<T> type) {
        return new EventCodec<>(type, SchemaStore.bundled());
    }

    /** A codec that knows only the writer schemas in {@code store}. */
    public static <T extends SpecificRecord> EventCodec<T> of(Class<T> type, SchemaStore store) {
        return new EventCodec<>(type, store);
    }

    public Class<T> type() {
        return type;
    }

    public Schema schema() {
        return schema;
    }

    public byte[] encode(T event) {
        return writer().encode(event);
    }

    /** An encoder for one thread that reuses its buffer: the same bytes as {@link #encode}. */
    public EventWriter<T> writer() {
        return new EventWriter<>(this);
    }

    /** Writes the single-object header and body of {@code event} to {@code out}. */
    void write(T event, OutputStream out, BinaryEncoder encoder) {
        try {
            out.write(header);
            if (compiled.isPresent()) {
                compiled.get().write(event, encoder);
            } else {
                writer.write(event, encoder);
            }
            encoder.flush();
        } catch (IOException e) {
            // The in-memory output does not fail; anything here is a bug, not input.
            throw new UncheckedIOException(e);
        }
    }

    /** Avro's own writer, kept as the reference the compiled one is tested against. */
    byte[] encodeWithAvroWriter(T event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes(header);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        writer.write(event, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    boolean isCompiled() {
        return compiled.isPresent();
    }

    boolean isReaderCompiled() {
        return compiledReader.isPresent();
    }

    /**
     * A datum reader for Avro object container files of this type (the file names its writer
     * schema), reading with the same model as this codec.
     */
    public SpecificDatumReader<T> containerFileReader() {
        return new SpecificDatumReader<>(null, schema, model);
    }

    /**
     * A reader of the blocks of an Avro object container file written with {@code writerSchema}, or
     * empty when that is not this codec's own schema (or it is not compiled): the file's datums are then
     * read with {@link #containerFileReader()} and encoded.
     */
    public Optional<ContainerBlockReader<T>> containerBlockReader(Schema writerSchema) {
        if (compiledReader.isEmpty() || SchemaStore.fingerprint(writerSchema) != fingerprint) {
            return Optional.empty();
        }
        return Optional.of(new ContainerBlockReader<>(this, compiledReader.get(),
                new SpecificDatumReader<>(writerSchema, schema, model), header));
    }

    public T decode(byte[] message) throws DecodeException {
        checkHeader(message);
        long writerFingerprint = readFingerprint(message);
        if (writerFingerprint == fingerprint && compiledReader.isPresent()) {
            return type.cast(readCompiled(compiledReader.get(), message));
        }
        return decodeWithAvroReader(message, writerFingerprint);
    }

    /**
     * A reader of the named top-level fields of this type's messages that accepts and rejects
     * exactly what {@link #decode} does, and for a message of this codec's own schema builds
     * nothing else. Thread-safe, like the codec.
     */
    public FieldsReader<T> fieldsReader(List<String> names) {
        int[] positions = FieldsReader.positions(schema, names);
        Optional<CompiledDatumReader> walk = compiledReader.isPresent()
                ? CompiledDatumReader.compileFields(schema, model, positions) : Optional.empty();
        return new FieldsReader<>(this, positions, walk);
    }

    /** {@link #decode} through {@code reader}, compiled from this codec's own schema; the caller has checked the header. */
    Object readCompiled(CompiledDatumReader reader, byte[] message) throws DecodeException {
        try {
            return reader.read(message, HEADER_LENGTH);
        } catch (CompiledDatumReader.Undecided e) {
            // A hand-made block size the two walks of the Avro path disagree on: its structure
            // walk, then the read alone, as that path does; but the compiled read, because
            // Avro's would allocate whatever count such a block claims.
            checkStructure(message, schema);
            return reader.readAfterStructureWalk(message, HEADER_LENGTH);
        }
    }

    /** Whether {@code message}, whose header has been checked, names this codec's own schema. */
    boolean isOwnSchema(byte[] message) {
        return readFingerprint(message) == fingerprint;
    }

    /** The Avro path of {@link #decode}, kept as the reference the compiled reader is tested against. */
    T decodeWithAvroReader(byte[] message) throws DecodeException {
        checkHeader(message);
        return decodeWithAvroReader(message, readFingerprint(message));
    }

    /** The compiled reader alone, without the header checks, for tests; empty when not compiled. */
    Optional<T> decodeWithCompiledReader(byte[] message) throws DecodeException, CompiledDatumReader.Undecided {
        return compiledReader.isEmpty() ? Optional.empty()
                : Optional.of(type.cast(compiledReader.get().read(message, HEADER_LENGTH)));
    }

    private T decodeWithAvroReader(byte[] message, long writerFingerprint) throws DecodeException {
        SpecificDatumReader<T> reader = reader(writerFingerprint);
        // GenericDatumReader.getSchema() is the writer schema the reader resolves from.
        checkStructure(message, reader.getSchema());
        checkClaimedCounts(message, reader.getSchema());
        return read(message, reader);
    }

    static void checkHeader(byte[] message) throws DecodeException {
        if (message == null || message.length < HEADER_LENGTH) {
            throw new DecodeException(Reason.TRUNCATED_HEADER, "expected at least " + HEADER_LENGTH
                    + " bytes (marker + fingerprint), got " + (message == null ? "null" : message.length));
        }
        if (message[0] != MARKER_0 || message[1] != MARKER_1) {
            throw new DecodeException(Reason.BAD_MARKER, String.format(
                    "expected single-object marker C3 01, got %02X %02X", message[0], message[1]));
        }
    }

    /**
     * Decodes a message that {@link #decode} has accepted before and that was kept as bytes since
     * (a Flink job carries decisions that way between its operators): the structure walk that
     * guards against hostile length prefixes was done then and is not repeated. Bytes from
     * anywhere else must go through {@link #decode}.
     */
    public T decodeAccepted(byte[] message) throws DecodeException {
        if (message == null || message.length < HEADER_LENGTH || message[0] != MARKER_0 || message[1] != MARKER_1) {
            return decode(message);   // not what decode accepts: let it say why
        }
        long writerFingerprint = readFingerprint(message);
        if (writerFingerprint == fingerprint && compiledReader.isPresent()) {
            try {
                return type.cast(compiledReader.get().read(message, HEADER_LENGTH));
            } catch (DecodeException | CompiledDatumReader.Undecided e) {
                // Not what decode accepts after all: answer as Avro's read alone always has here.
            }
        }
        return read(message, reader(writerFingerprint));
    }

    /** The Avro path of {@link #decodeAccepted}, for the benchmark that compares the two. */
    T decodeAcceptedWithAvroReader(byte[] message) throws DecodeException {
        checkHeader(message);
        return read(message, reader(readFingerprint(message)));
    }

    private SpecificDatumReader<T> reader(long writerFingerprint) throws DecodeException {
        SpecificDatumReader<T> reader = readers.get(writerFingerprint);
        if (reader == null) {
            Schema writerSchema = store.findByFingerprint(writerFingerprint).orElseThrow(() -> new DecodeException(
                    Reason.UNKNOWN_SCHEMA, String.format(
                            "no %s schema with fingerprint %016x is known to this reader (%d versions known)",
                            schema.getName(), writerFingerprint, store.size())));
            reader = readers.computeIfAbsent(writerFingerprint,
                    f -> new SpecificDatumReader<>(writerSchema, schema, model));
        }
        return reader;
    }

    private T read(byte[] message, SpecificDatumReader<T> reader) throws DecodeException {
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(message, HEADER_LENGTH, message.length - HEADER_LENGTH, null);
        try {
            return reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw malformed(message, e);
        }
    }

    /**
     * Walks the body with the writer schema without materialising it. Avro's reader allocates a
     * string or array as large as the length prefix claims before it notices the bytes are not
     * there, so fifteen hostile bytes could ask for gigabytes; skipping checks every length
     * against what is left. It also finds trailing bytes, so a decoded message is exactly one event.
     */
    private void checkStructure(byte[] message, Schema writerSchema) throws DecodeException {
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(message, HEADER_LENGTH, message.length - HEADER_LENGTH, null);
        try {
            GenericDatumReader.skip(writerSchema, decoder);
            if (!decoder.isEnd()) {
                throw new DecodeException(Reason.TRAILING_BYTES, "bytes left after a whole "
                        + schema.getName() + " was read from " + message.length + " bytes");
            }
        } catch (IOException | RuntimeException e) {
            throw malformed(message, e);
        }
    }

    /** See {@link ClaimedCounts}: after the structure walk, before Avro's reader allocates what blocks claim. */
    private void checkClaimedCounts(byte[] message, Schema writerSchema) throws DecodeException {
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(message, HEADER_LENGTH, message.length - HEADER_LENGTH, null);
        try {
            ClaimedCounts.walk(writerSchema, decoder);
        } catch (IOException | RuntimeException e) {
            throw malformed(message, e);
        }
    }

    private DecodeException malformed(byte[] message, Exception e) {
        // Avro reports malformed input through many types (EOFException, AvroRuntimeException,
        // UnsupportedOperationException for absurd lengths, IndexOutOfBounds for a bad union
        // branch...): all of them mean "these bytes are not a valid body".
        return new DecodeException(Reason.MALFORMED_BODY, "cannot decode " + schema.getName()
                + " body of " + (message.length - HEADER_LENGTH) + " bytes: " + e, e);
    }

    /**
     * The generated class's own model (its logical-type conversions), copied so that this codec can
     * use Avro's fast reader (readers compiled per writer schema, about three times faster than the
     * interpreted resolving decoder, same results) without switching it on for every other user of
     * the class's shared model.
     */
    private static SpecificData readingModel(SpecificData generated, Class<?> type) {
        SpecificData own = new SpecificData(type.getClassLoader());
        generated.getConversions().forEach(own::addLogicalTypeConversion);
        own.setFastReaderEnabled(true);
        return own;
    }

    /** The fingerprint in a message's header; the caller has checked the length. */
    static long readFingerprint(byte[] message) {
        long fp = 0;
        for (int i = 0; i < 8; i++) {
            fp |= (message[2 + i] & 0xFFL) << (8 * i);
        }
        return fp;
    }

    private static byte[] header(long fingerprint) {
        byte[] h = new byte[HEADER_LENGTH];
        h[0] = MARKER_0;
        h[1] = MARKER_1;
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return h;
    }
}
