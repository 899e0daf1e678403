package dev.cgaudit.schema.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Capability;
import dev.cgaudit.schema.CommandType;
import dev.cgaudit.schema.Component;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.Severity;
import dev.cgaudit.schema.StatusEvent;
import dev.cgaudit.schema.ViolationKind;
import dev.cgaudit.schema.codec.DecodeException.Reason;
import dev.cgaudit.testing.Decisions;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    private final EventCodec<AttachDecision> decisions = EventCodec.of(AttachDecision.class);

    @Test
    void roundTripsEveryFixtureDecision() throws Exception {
        for (AttachDecision d : List.of(Decisions.allowedProcsWrite().build(), Decisions.deniedAtOpen().build(),
                Decisions.enforcedClone().build())) {
            assertThat(decisions.decode(decisions.encode(d))).isEqualTo(d);
        }
    }

    @Test
    void decodesAnAcceptedMessageAgainWithoutTheStructureWalk() throws Exception {
        for (AttachDecision d : List.of(Decisions.allowedProcsWrite().build(), Decisions.deniedAtOpen().build(),
                Decisions.enforcedClone().build())) {
            byte[] message = decisions.encode(d);
            assertThat(decisions.decodeAccepted(message)).isEqualTo(decisions.decode(message)).isEqualTo(d);
        }
        assertThatThrownBy(() -> decisions.decodeAccepted(new byte[] {1, 2}))
                .isInstanceOf(DecodeException.class);
    }

    @Test
    void roundTripsTheOtherEventTypes() throws Exception {
        PolicyViolation violation = PolicyViolation.newBuilder()
                .setViolationId("v-1").setRuleId("r").setRuleVersion(2).setMode(Mode.ENFORCE)
                .setSeverity(Severity.HIGH).setKind(ViolationKind.UNAUTHORIZED_MIGRATION).setSubtree("/a")
                .setDecisionIds(List.of("n/b/1")).setOutcomes(List.of(Outcome.DENIED))
                .setFirstSeen(Decisions.BEGINNING).setLastSeen(Decisions.BEGINNING).setCount(1)
                .setNodes(List.of("n")).setExplanation("why").build();
        assertThat(EventCodec.of(PolicyViolation.class).decode(EventCodec.of(PolicyViolation.class).encode(violation)))
                .isEqualTo(violation);

        PolicyCommand command = PolicyCommand.newBuilder().setCommandId("c").setType(CommandType.SET_MODE)
                .setRuleId("r").setRuleVersion(3).setIssuedAt(Decisions.BEGINNING).setAuthor("alice")
                .setReason("switch").setMode(Mode.AUDIT).setSignature(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .build();
        assertThat(EventCodec.of(PolicyCommand.class).decode(EventCodec.of(PolicyCommand.class).encode(command)))
                .isEqualTo(command);

        StatusEvent status = StatusEvent.newBuilder().setComponent(Component.COLLECTOR).setNode("n")
                .setTimestamp(Decisions.BEGINNING).setRingLostByType(Map.of("write", 3L))
                .setCapabilities(List.of(Capability.newBuilder().setName("lsm").setAvailable(false)
                        .setDetail("EPERM").build()))
                .build();
        assertThat(EventCodec.of(StatusEvent.class).decode(EventCodec.of(StatusEvent.class).encode(status)))
                .isEqualTo(status);
    }

    @Test
    void headerIsTheSingleObjectMarkerAndTheSchemaFingerprint() {
        byte[] message = decisions.encode(Decisions.allowedProcsWrite().build());
        assertThat(message[0]).isEqualTo((byte) 0xC3);
        assertThat(message[1]).isEqualTo((byte) 0x01);
        assertThat(EventCodec.readFingerprint(message))
                .isEqualTo(SchemaStore.fingerprint(AttachDecision.getClassSchema()));
    }

    @Test
    void readsMessagesOfAvrosOwnSingleObjectEncoder() throws Exception {
        // Interoperability: other tools (and Avro's generated toByteBuffer) write the same format.
        AttachDecision d = Decisions.allowedProcsWrite().build();
        ByteBuffer viaAvro = d.toByteBuffer();
        byte[] bytes = new byte[viaAvro.remaining()];
        viaAvro.get(bytes);
        assertThat(bytes).isEqualTo(decisions.encode(d));
        assertThat(decisions.decode(bytes)).isEqualTo(d);
    }

    @Test
    void rejectsNullEmptyAndShortInputAsTruncatedHeader() {
        for (byte[] input : new byte[][] {null, new byte[0], new byte[] {(byte) 0xC3, 1, 0, 0}}) {
            DecodeException e = catchThrowableOfType(DecodeException.class, () -> decisions.decode(input));
            assertThat(e.reason()).isEqualTo(Reason.TRUNCATED_HEADER);
        }
    }

    @Test
    void rejectsAWrongMarker() {
        byte[] message = decisions.encode(Decisions.allowedProcsWrite().build());
        message[1] = 0x02;
        assertThatThrownBy(() -> decisions.decode(message))
                .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_MARKER))
                .hasMessageContaining("C3 02");
    }

    @Test
    void rejectsAnUnknownFingerprintNamingIt() {
        byte[] message = decisions.encode(Decisions.allowedProcsWrite().build());
        message[5] ^= 0x5A;
        DecodeException e = catchThrowableOfType(DecodeException.class, () -> decisions.decode(message));
        assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA);
        assertThat(e).hasMessageContaining(String.format("%016x", EventCodec.readFingerprint(message)));
    }

    @Test
    void rejectsATruncatedBody() {
        byte[] message = decisions.encode(Decisions.allowedProcsWrite().build());
        byte[] cut = Arrays.copyOf(message, message.length - 5);
        DecodeException e = catchThrowableOfType(DecodeException.class, () -> decisions.decode(cut));
        assertThat(e.reason()).isEqualTo(Reason.MALFORMED_BODY);
    }

    @Test
    void rejectsTrailingBytes() {
        byte[] message = decisions.encode(Decisions.allowedProcsWrite().build());
        byte[] longer = Arrays.copyOf(message, message.length + 3);
        DecodeException e = catchThrowableOfType(DecodeException.class, () -> decisions.decode(longer));
        assertThat(e.reason()).isEqualTo(Reason.TRAILING_BYTES);
    }

    @Test
    void aMessageOfAnotherEventTypeIsNotMistakenForADecision() {
        byte[] status = EventCodec.of(StatusEvent.class).encode(StatusEvent.newBuilder()
                .setComponent(Component.PROCESSOR).setNode("p").setTimestamp(Decisions.BEGINNING).build());
        // The bundled store knows the StatusEvent schema; resolving it as an AttachDecision must fail typed.
        DecodeException e = catchThrowableOfType(DecodeException.class, () -> decisions.decode(status));
        assertThat(e.reason()).isIn(Reason.MALFORMED_BODY);
    }

    @Test
    void anAbsurdLengthPrefixFailsWithoutAllocatingIt() {
        byte[] header = Arrays.copyOf(decisions.encode(Decisions.allowedProcsWrite().build()), 10);
        // eventId claims 1e9 bytes (zig-zag varint of 2e9), the message has none of them
        byte[] message = ByteBuffer.allocate(15).put(header)
                .put(new byte[] {(byte) 0x80, (byte) 0xA8, (byte) 0xD6, (byte) 0xB9, 0x07}).array();
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        DecodeException e = catchThrowableOfType(DecodeException.class, () -> decisions.decode(message));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(e.reason()).isEqualTo(Reason.MALFORMED_BODY);
        assertThat(allocated).as("bytes allocated while rejecting").isLessThan(16L << 20);
    }

    @Test
    void randomGarbageBehindAValidHeaderFailsTypedNeverWithAnotherException() {
        Random random = new Random(42);
        byte[] header = Arrays.copyOf(decisions.encode(Decisions.allowedProcsWrite().build()), 10);
        int decodedByChance = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] body = new byte[random.nextInt(200)];
            random.nextBytes(body);
            byte[] message = ByteBuffer.allocate(10 + body.length).put(header).put(body).array();
            try {
                decisions.decode(message);
                decodedByChance++;
            } catch (DecodeException expected) {
                assertThat(expected.reason()).isIn(Reason.MALFORMED_BODY, Reason.TRAILING_BYTES);
            }
        }
        assertThat(decodedByChance).isLessThan(50);
    }

    @Test
    void mutatedValidMessagesFailTypedOrDecode() {
        Random random = new Random(7);
        byte[] valid = decisions.encode(Decisions.deniedAtOpen().build());
        for (int i = 0; i < 5_000; i++) {
            byte[] message = valid.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                message[10 + random.nextInt(message.length - 10)] = (byte) random.nextInt(256);
            }
            try {
                decisions.decode(message);
            } catch (DecodeException expected) {
                assertThat(expected.reason()).isIn(Reason.MALFORMED_BODY, Reason.TRAILING_BYTES);
            }
        }
    }
}
