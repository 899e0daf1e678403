package dev.cgaudit.schema.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.testing.Decisions;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The evolution guard: every released schema is kept, and the current one must be compatible with
 * all of them in both directions. A failure here means a schema change would make stored events
 * unreadable or break deployed consumers.
 */
class SchemaEvolutionTest {

    static final List<String> EVENTS = SchemaStore.EVENT_NAMES;

    @ParameterizedTest
    @FieldSource("EVENTS")
    void everyEventTypeHasAtLeastOneReleasedVersion(String name) {
        assertThat(SchemaStore.bundled().releasedVersions(name)).isNotEmpty();
    }

    @ParameterizedTest
    @FieldSource("EVENTS")
    void currentSchemaIsCompatibleWithEveryReleasedVersion(String name) {
        assertThat(CompatibilityGuard.problems(current(name), SchemaStore.bundled().releasedVersions(name)))
                .as("%s must stay readable by and able to read every released version", name)
                .isEmpty();
    }

    @ParameterizedTest
    @FieldSource("EVENTS")
    void currentSchemaIsKeptAsTheNewestReleasedVersion(String name) {
        List<Schema> released = SchemaStore.bundled().releasedVersions(name);
        Schema newest = released.get(released.size() - 1);
        assertThat(SchemaNormalization.toParsingForm(current(name)))
                .as("%s changed: keep it as schemas/src/main/resources/dev/cgaudit/schema/history/%s/v%d.avsc "
                        + "(Schema.toString(true) of the generated class) so later readers can decode it",
                        name, name, released.size() + 1)
                .isEqualTo(SchemaNormalization.toParsingForm(newest));
    }

    @ParameterizedTest
    @FieldSource("EVENTS")
    void releasedVersionsAreKnownToTheStoreByFingerprint(String name) {
        for (Schema version : SchemaStore.bundled().releasedVersions(name)) {
            assertThat(SchemaStore.bundled().findByFingerprint(SchemaStore.fingerprint(version))).isPresent();
        }
    }

    @ParameterizedTest
    @FieldSource("EVENTS")
    void eachReleasedVersionsBytesDecodeWithTheCurrentCodec(String name) throws Exception {
        if (!name.equals("AttachDecision")) {
            return; // one event type with real data is enough here; the others are covered by the guard
        }
        AttachDecision current = Decisions.allowedProcsWrite().build();
        for (Schema version : SchemaStore.bundled().releasedVersions(name)) {
            byte[] message = writeAs(version, current);
            AttachDecision read = EventCodec.of(AttachDecision.class).decode(message);
            assertThat(read.getEventId()).isEqualTo(current.getEventId());
            assertThat(read.getDestination()).isEqualTo(current.getDestination());
        }
    }

    /** Encodes an event the way a producer built with an older schema would have. */
    private static byte[] writeAs(Schema oldSchema, AttachDecision event) throws Exception {
        Schema schema = AttachDecision.getClassSchema();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(body, null);
        new GenericDatumWriter<GenericRecord>(schema, org.apache.avro.specific.SpecificData.getForClass(AttachDecision.class))
                .write(asGeneric(event), enc);
        enc.flush();
        GenericRecord asOld = new GenericDatumReader<GenericRecord>(schema, oldSchema)
                .read(null, DecoderFactory.get().binaryDecoder(body.toByteArray(), null));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0xC3, 0x01});
        long fp = SchemaStore.fingerprint(oldSchema);
        for (int i = 0; i < 8; i++) {
            out.write((int) (fp >>> (8 * i)) & 0xFF);
        }
        BinaryEncoder oldEnc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(oldSchema).write(asOld, oldEnc);
        oldEnc.flush();
        return out.toByteArray();
    }

    private static GenericRecord asGeneric(AttachDecision event) {
        return event;
    }

    private static Schema current(String name) {
        return CurrentSchemas.ALL.get(SchemaStore.EVENT_NAMES.indexOf(name));
    }
}
