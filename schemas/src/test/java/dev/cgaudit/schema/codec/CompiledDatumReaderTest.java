package dev.cgaudit.schema.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.StatusEvent;
import dev.cgaudit.schema.codec.BodyTokens.Kind;
import dev.cgaudit.schema.codec.BodyTokens.Token;
import dev.cgaudit.schema.codec.DecodeException.Reason;
import dev.cgaudit.testing.Decisions;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The compiled reader against the Avro path it replaces in {@link EventCodec#decode}: equal events
 * for valid messages, and for hostile ones the same verdict (accepted with an equal event, or
 * rejected for the same reason).
 */
class CompiledDatumReaderTest {

    static final List<Class<? extends SpecificRecord>> TYPES =
            List.of(AttachDecision.class, PolicyCommand.class, PolicyViolation.class, StatusEvent.class);

    @Test
    void everyEventTypeIsCompiled() {
        for (Class<? extends SpecificRecord> type : TYPES) {
            assertThat(EventCodec.of(type).isReaderCompiled()).as(type.getSimpleName()).isTrue();
        }
    }

    @Test
    void shapesItDoesNotCompileAreLeftToAvrosReader() throws Exception {
        SpecificData model = new SpecificData();
        List<Schema> unsupported = List.of(Schema.create(Schema.Type.FLOAT), Schema.create(Schema.Type.DOUBLE),
                Schema.create(Schema.Type.NULL), Schema.createFixed("F", null, "x", 4),
                Schema.createUnion(Schema.create(Schema.Type.STRING), Schema.create(Schema.Type.LONG)),
                Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING),
                        Schema.create(Schema.Type.LONG)),
                Schema.createArray(Schema.create(Schema.Type.NULL)),
                new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"Link\", \"namespace\": \"x\","
                        + " \"fields\": [{\"name\": \"next\", \"type\": [\"null\", \"Link\"]}]}"),
                Schema.createRecord("NoGeneratedClass", null, "x", false,
                        List.of(new Schema.Field("a", Schema.create(Schema.Type.STRING)))));
        for (Schema schema : unsupported) {
            assertThat(CompiledDatumReader.compile(schema, model)).as(schema.toString()).isEmpty();
        }
        // a shape it compiles, on its own: a map of longs
        CompiledDatumReader map = CompiledDatumReader.compile(Schema.createMap(Schema.create(Schema.Type.LONG)), model)
                .orElseThrow();
        byte[] message = concat(new byte[EventCodec.HEADER_LENGTH],
                new byte[] {4, 2, 'a', 10, 2, 'b', 1, 0});   // 2 entries: a=5, b=-1
        assertThat(map.read(message, EventCodec.HEADER_LENGTH)).isEqualTo(Map.of("a", 5L, "b", -1L));
    }

    @ParameterizedTest
    @FieldSource("TYPES")
    void randomValidEventsDecodeEqualToAvrosReader(Class<? extends SpecificRecord> type) throws Exception {
        EventCodec<SpecificRecord> codec = codec(type);
        RandomEvents events = new RandomEvents(11);
        for (int i = 0; i < 2_000; i++) {
            SpecificRecord event = events.next(type);
            byte[] message = codec.encode(event);
            SpecificRecord viaAvro = codec.decodeWithAvroReader(message);
            SpecificRecord compiled = codec.decodeWithCompiledReader(message).orElseThrow();
            assertThat(compiled).as("event %d: %s", i, event).isEqualTo(viaAvro).isEqualTo(event);
            assertThat(compiled.toString()).isEqualTo(viaAvro.toString());
            assertSameClasses(compiled, viaAvro, type.getSimpleName());
            assertThat(codec.decode(message)).isEqualTo(viaAvro);
            assertThat(codec.decodeAccepted(message)).isEqualTo(viaAvro);
        }
    }

    /** Same list and map classes as Avro's reader makes, so that no user can tell the difference. */
    private static void assertSameClasses(Object compiled, Object viaAvro, String where) {
        if (compiled == null || viaAvro == null) {
            assertThat(compiled).as(where).isEqualTo(viaAvro);
            return;
        }
        assertThat(compiled.getClass()).as(where).isEqualTo(viaAvro.getClass());
        if (compiled instanceof SpecificRecord record) {
            for (Schema.Field f : record.getSchema().getFields()) {
                assertSameClasses(record.get(f.pos()), ((SpecificRecord) viaAvro).get(f.pos()), where + "." + f.name());
            }
        } else if (compiled instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                assertSameClasses(list.get(i), ((List<?>) viaAvro).get(i), where + "[" + i + "]");
            }
        }
    }

    @Test
    void fixtureDecisionsAndTheFullMessageOfEachTypeDecodeAlike() throws Exception {
        EventCodec<AttachDecision> codec = EventCodec.of(AttachDecision.class);
        for (AttachDecision d : List.of(Decisions.allowedProcsWrite().build(), Decisions.deniedAtOpen().build(),
                Decisions.enforcedClone().build())) {
            byte[] message = codec.encode(d);
            assertThat(codec.decodeWithCompiledReader(message)).contains(d);
        }
    }

    /**
     * What one path made of a message: an event, or the reason it was rejected. Avro's reader could
     * run out of memory on a negative-count block whose byte size is small and whose count is huge
     * (the structure walk jumps over the block by its size, then the reader allocates the count)
     * until {@link ClaimedCounts} walked such blocks item by item first; kept as a safety net.
     */
    private record Verdict(Object event, Reason reason, boolean outOfMemory) {
        static Verdict of(Decoding decoding) throws CompiledDatumReader.Undecided {
            try {
                return new Verdict(Objects.requireNonNull(decoding.decode()), null, false);
            } catch (DecodeException e) {
                return new Verdict(null, e.reason(), false);
            } catch (OutOfMemoryError e) {
                // one huge array that could not be allocated: nothing else was, so the test goes on
                return new Verdict(null, null, true);
            }
        }

        /** The compiled path must reject what made Avro's reader run out of memory. */
        Verdict expected() {
            return outOfMemory ? new Verdict(null, Reason.MALFORMED_BODY, false) : this;
        }

        @Override
        public String toString() {
            return outOfMemory ? "Avro path out of memory" : reason != null ? "rejected " + reason : "accepted";
        }
    }

    @FunctionalInterface
    private interface Decoding {
        Object decode() throws DecodeException, CompiledDatumReader.Undecided;
    }

    @Test
    void mutatedMessagesGetTheVerdictOfTheAvroPath() throws Exception {
        long seed = 20261128L;
        Random random = new Random(seed);
        Map<String, Integer> verdicts = new java.util.TreeMap<>();
        int undecided = 0;
        int outOfMemory = 0;
        int cases = 0;
        for (Class<? extends SpecificRecord> type : TYPES) {
            EventCodec<SpecificRecord> codec = codec(type);
            List<Schema.Field> schemaFields = codec.schema().getFields();
            // the last field, the first and one between, out of the schema's order
            List<String> names = List.of(schemaFields.get(schemaFields.size() - 1).name(), schemaFields.get(0).name(),
                    schemaFields.get(schemaFields.size() / 2).name());
            FieldsReader<SpecificRecord> fields = codec.fieldsReader(names);
            assertThat(fields.isCompiled()).as(type.getSimpleName()).isTrue();
            RandomEvents events = new RandomEvents(seed + type.getSimpleName().hashCode());
            for (int e = 0; e < 25; e++) {
                byte[] valid = codec.encode(events.next(type));
                if (valid.length > 20_000) {
                    continue;   // truncation at every length stays quick
                }
                List<Token> tokens = BodyTokens.of(valid, codec.schema());
                List<byte[]> mutants = Mutations.of(valid, tokens, random, e < 8);
                for (int m = 0; m < mutants.size(); m++) {
                    byte[] message = mutants.get(m);
                    String where = type.getSimpleName() + " event " + e + " mutant " + m + " (seed " + seed + "): "
                            + hex(message);
                    Verdict avro = Verdict.of(() -> codec.decodeWithAvroReader(message));
                    Verdict decoded = Verdict.of(() -> codec.decode(message));
                    assertThat(decoded).as(where).isEqualTo(avro.expected());
                    // the fields alone: the same verdict, and the values of the decoded event
                    Verdict walked = Verdict.of(() -> Arrays.asList(fields.read(message)));
                    assertThat(walked).as("fields of " + where).isEqualTo(decoded.event() == null ? decoded
                            : new Verdict(names.stream().map(n -> ((SpecificRecord) decoded.event()).get(
                                    codec.schema().getField(n).pos())).toList(), null, false));
                    try {
                        Verdict compiled = Verdict.of(() -> codec.decodeWithCompiledReader(message).orElseThrow());
                        assertThat(compiled).as(where).isEqualTo(avro.expected());
                    } catch (CompiledDatumReader.Undecided u) {
                        undecided++;
                    }
                    if (avro.event() != null) {
                        // decodeAccepted of an accepted message: the same event
                        assertThat(codec.decodeAccepted(message)).as(where).isEqualTo(avro.event());
                    }
                    outOfMemory += avro.outOfMemory() ? 1 : 0;
                    verdicts.merge(avro.toString(), 1, Integer::sum);
                    cases++;
                }
            }
        }
        System.out.printf("fuzz (seed %d): %d cases, %s; %d undecided in one pass (decode: structure walk,"
                + " then the compiled read)%n", seed, cases, verdicts, undecided);
        // A fuzz that never reaches a verdict proves nothing about it.
        assertThat(cases).isGreaterThan(20_000);
        assertThat(outOfMemory).as("Avro reader out of memory").isLessThan(cases / 100);
        assertThat(verdicts.getOrDefault("accepted", 0)).isGreaterThan(1_000);
        assertThat(verdicts.getOrDefault("rejected MALFORMED_BODY", 0)).isGreaterThan(1_000);
        assertThat(verdicts.getOrDefault("rejected TRAILING_BYTES", 0)).isGreaterThan(1_000);
        assertThat(undecided).isGreaterThan(0).isLessThan(cases / 10);
    }

    private static String hex(byte[] message) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(message.length, 400); i++) {
            s.append(String.format("%02x", message[i]));
        }
        return message.length > 400 ? s + "... (" + message.length + " bytes)" : s.toString();
    }

    @Test
    void negativeCountBlocksWithTheirByteSizeDecodeToTheSameEvent() throws Exception {
        EventCodec<PolicyViolation> codec = EventCodec.of(PolicyViolation.class);
        PolicyViolation violation = new RandomEvents(3).violation();
        violation.setDecisionIds(List.of("n/b/1", "n/b/2", "ü/日本/3"));
        violation.setNodes(List.of("a", "b"));
        byte[] valid = codec.encode(violation);
        Token block = BodyTokens.of(valid, codec.schema()).stream()
                .filter(t -> t.kind() == Kind.BLOCK && t.value() == 3).findFirst().orElseThrow();
        // three blocks: [-1 item, size], [2 items]
        byte[] split = Mutations.reblock(valid, block, List.of(-1, 2), 0);
        assertThat(codec.decodeWithCompiledReader(split)).contains(violation);
        assertThat(codec.decode(split)).isEqualTo(violation).isEqualTo(codec.decodeWithAvroReader(split));
        // one item per block, all negative
        byte[] negatives = Mutations.reblock(valid, block, List.of(-1, -1, -1), 0);
        assertThat(codec.decodeWithCompiledReader(negatives)).contains(violation);
    }

    /** A violation with one decision id: its first string length and its first one-item array block. */
    private record OneIdViolation(EventCodec<PolicyViolation> codec, byte[] valid, Token firstString, Token array) {
        static OneIdViolation make() throws java.io.IOException {
            EventCodec<PolicyViolation> codec = EventCodec.of(PolicyViolation.class);
            PolicyViolation violation = new RandomEvents(5).violation();
            violation.setDecisionIds(List.of("x"));
            byte[] valid = codec.encode(violation);
            List<Token> tokens = BodyTokens.of(valid, codec.schema());
            return new OneIdViolation(codec, valid,
                    tokens.stream().filter(t -> t.kind() == Kind.LENGTH).findFirst().orElseThrow(),
                    tokens.stream().filter(t -> t.kind() == Kind.BLOCK && t.value() == 1).findFirst().orElseThrow());
        }
    }

    @Test
    void aClaimOfTwoGigabytesFailsFastWithoutAllocatingIt() throws Exception {
        OneIdViolation one = OneIdViolation.make();
        EventCodec<PolicyViolation> codec = one.codec();
        byte[] valid = one.valid();
        Token firstString = one.firstString();
        Token array = one.array();
        List<byte[]> hostile = List.of(
                Mutations.replace(valid, firstString, BodyTokens.varint(1L << 31)),
                Mutations.replace(valid, array, BodyTokens.varint(1L << 31)),
                // a negative count of 2^31 items behind a byte size the message has
                Mutations.replace(valid, array, concat(BodyTokens.varint(-(1L << 31)), BodyTokens.varint(1))),
                Mutations.replace(valid, array, concat(BodyTokens.varint(-(1L << 28)), BodyTokens.varint(1))),
                // ...and one whose byte size is right, so that the structure walk of the Avro path
                // jumps over the block and passes: Avro's reader then allocates the 2^28 items
                Mutations.replace(valid, array, concat(BodyTokens.varint(-(1L << 28)),
                        BodyTokens.varint(array.itemsEnd() - array.items().get(0)))),
                Arrays.copyOf(Mutations.replace(valid, firstString, BodyTokens.varint(1L << 31)),
                        firstString.end() + 1));
        // class loading and first-call setup (of the codec, of AssertJ) are not what is measured
        codec.decode(valid);
        catchThrowableOfType(DecodeException.class, () -> codec.decode(hostile.get(0)));
        for (byte[] message : hostile) {
            assertRejectedCheaply(message, () -> codec.decode(message));
        }
    }

    /** {@code decode} of {@code message} fails as MALFORMED_BODY, allocating far less than the 2 GB or 2^28 items claimed. */
    private static void assertRejectedCheaply(byte[] message, org.assertj.core.api.ThrowableAssert.ThrowingCallable decode) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        DecodeException e = catchThrowableOfType(DecodeException.class, decode);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(e).as(hex(message)).isNotNull();
        assertThat(e.reason()).as(hex(message)).isEqualTo(Reason.MALFORMED_BODY);
        assertThat(allocated).as("bytes allocated while rejecting " + hex(message)).isLessThan(1L << 20);
    }

    @Test
    void theAvroPathRejectsARightSizedClaimOfTwoTo28ItemsWithoutAllocatingThem() throws Exception {
        // The path messages of older writer schemas take: its structure walk jumps over a negative-count
        // block by its byte size; ClaimedCounts then finds the 2^28 items missing before Avro's reader
        // would allocate them (it ran out of memory on this message with -Xmx48m).
        OneIdViolation one = OneIdViolation.make();
        EventCodec<PolicyViolation> codec = one.codec();
        byte[] valid = one.valid();
        Token array = one.array();
        byte[] hostile = Mutations.replace(valid, array, concat(BodyTokens.varint(-(1L << 28)),
                BodyTokens.varint(array.itemsEnd() - array.items().get(0))));
        assertThat(codec.decodeWithAvroReader(valid)).isEqualTo(codec.decode(valid));
        assertRejectedCheaply(hostile, () -> codec.decodeWithAvroReader(hostile));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void messagesOfAnOlderWriterSchemaStillDecodeThroughAvrosResolvingReader() throws Exception {
        // an older AttachDecision without collectorVersion, as a compatible earlier release would be
        Schema current = AttachDecision.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : current.getFields()) {
            if (!f.name().equals("collectorVersion")) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        Schema older = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
        assertThat(older.getFields()).hasSize(current.getFields().size() - 1);
        EventCodec<AttachDecision> codec = EventCodec.of(AttachDecision.class, SchemaStore.of(List.of(older, current)));
        assertThat(codec.isReaderCompiled()).isTrue();

        AttachDecision event = Decisions.enforcedClone().build();
        byte[] message = writeAs(older, event);
        AttachDecision read = codec.decode(message);
        event.setCollectorVersion(null);
        assertThat(read).isEqualTo(event).isEqualTo(codec.decodeWithAvroReader(message))
                .isEqualTo(codec.decodeAccepted(message));
        // the compiled reader knows only the current layout: it would not have read this message right
        assertThat(catchThrowableOfType(DecodeException.class, () -> codec.decodeWithCompiledReader(message)))
                .isNotNull();
        // nor would the fields' walk: the message is decoded whole, and the fields come from the event
        assertThat(codec.fieldsReader(List.of("collectorVersion", "seq", "node")).read(message))
                .containsExactly(null, event.getSeq(), event.getNode());
    }

    @Test
    void aStoreWithoutTheCurrentSchemaStillRejectsItsMessagesAsUnknown() {
        EventCodec<AttachDecision> codec = EventCodec.of(AttachDecision.class,
                SchemaStore.of(List.of(StatusEvent.getClassSchema())));
        assertThat(codec.isReaderCompiled()).isFalse();
        byte[] message = codec.encode(Decisions.allowedProcsWrite().build());
        DecodeException e = catchThrowableOfType(DecodeException.class, () -> codec.decode(message));
        assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA);
        assertThat(catchThrowableOfType(DecodeException.class, () -> codec.fieldsReader(List.of("node")).read(message))
                .reason()).isEqualTo(Reason.UNKNOWN_SCHEMA);
    }

    private static byte[] writeAs(Schema writerSchema, AttachDecision event) throws Exception {
        // by field name, as a producer built with that schema would have written it
        GenericRecord old = new GenericData.Record(writerSchema);
        for (Schema.Field f : writerSchema.getFields()) {
            old.put(f.name(), event.get(f.name()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {EventCodec.MARKER_0, EventCodec.MARKER_1});
        long fp = SchemaStore.fingerprint(writerSchema);
        for (int i = 0; i < 8; i++) {
            out.write((int) (fp >>> (8 * i)));
        }
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        GenericData model = new GenericData();
        model.addLogicalTypeConversion(new org.apache.avro.data.TimeConversions.TimestampMicrosConversion());
        new GenericDatumWriter<GenericRecord>(writerSchema, model).write(old, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private static EventCodec<SpecificRecord> codec(Class<? extends SpecificRecord> type) {
        return (EventCodec<SpecificRecord>) EventCodec.of(type);
    }
}
