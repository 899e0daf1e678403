package dev.cgaudit.schema.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.cgaudit.schema.Target;
import dev.cgaudit.schema.ViolationKind;
import dev.cgaudit.testing.Decisions;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The compiled writer must write exactly what Avro's SpecificDatumWriter writes, for every event type. */
class EventWriterTest {

    @Test
    void everyEventTypeIsCompiled() {
        for (Class<? extends SpecificRecord> type : List.of(AttachDecision.class, PolicyViolation.class,
                PolicyCommand.class, StatusEvent.class)) {
            assertThat(EventCodec.of(type).isCompiled()).as(type.getSimpleName()).isTrue();
        }
    }

    @Test
    void decisionsAreByteForByteAvrosEncoding() throws Exception {
        EventCodec<AttachDecision> codec = EventCodec.of(AttachDecision.class);
        EventWriter<AttachDecision> writer = codec.writer();
        List<AttachDecision> cases = List.of(Decisions.allowedProcsWrite().build(), Decisions.deniedAtOpen().build(),
                Decisions.enforcedClone().build(),
                Decisions.allowedProcsWrite().setTarget(Target.newBuilder().setPid(7).setTgid(null).setComm(null).build())
                        .setSource(null).setErrnoName(null).setCollectorVersion(null).build(),
                Decisions.allowedProcsWrite().setNode("nœud-ünicode-" + "x".repeat(600)).build());
        for (AttachDecision d : cases) {
            // the same writer twice: the reused buffer must not leak bytes of the previous, longer event
            assertThat(writer.encode(d)).isEqualTo(codec.encodeWithAvroWriter(d));
            assertThat(codec.encode(d)).isEqualTo(codec.encodeWithAvroWriter(d));
        }
    }

    @Test
    void theOtherEventTypesAreByteForByteAvrosEncoding() throws Exception {
        PolicyViolation violation = PolicyViolation.newBuilder()
                .setViolationId("v-1").setRuleId("r").setRuleVersion(2).setMode(Mode.ENFORCE)
                .setSeverity(Severity.HIGH).setKind(ViolationKind.UNAUTHORIZED_MIGRATION).setSubtree("/a")
                .setDecisionIds(List.of("n/b/1", "n/b/2")).setOutcomes(List.of(Outcome.DENIED, Outcome.ALLOWED))
                .setFirstSeen(Decisions.BEGINNING).setLastSeen(Decisions.BEGINNING).setCount(2)
                .setNodes(List.of("n")).setExplanation("why").build();
        EventCodec<PolicyViolation> violations = EventCodec.of(PolicyViolation.class);
        assertThat(violations.encode(violation)).isEqualTo(violations.encodeWithAvroWriter(violation));

        PolicyCommand command = PolicyCommand.newBuilder().setCommandId("c").setType(CommandType.SET_MODE)
                .setRuleId("r").setRuleVersion(3).setIssuedAt(Decisions.BEGINNING).setAuthor("alice")
                .setReason("switch").setMode(Mode.AUDIT).setSignature(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .build();
        EventCodec<PolicyCommand> commands = EventCodec.of(PolicyCommand.class);
        assertThat(commands.encode(command)).isEqualTo(commands.encodeWithAvroWriter(command));

        StatusEvent status = StatusEvent.newBuilder().setComponent(Component.COLLECTOR).setNode("n")
                .setTimestamp(Decisions.BEGINNING).setRingLostByType(Map.of("write", 3L, "open", 0L))
                .setCapabilities(List.of(Capability.newBuilder().setName("lsm").setAvailable(false)
                        .setDetail("EPERM").build()))
                .build();
        EventCodec<StatusEvent> statuses = EventCodec.of(StatusEvent.class);
        assertThat(statuses.encode(status)).isEqualTo(statuses.encodeWithAvroWriter(status));
    }

    @Test
    void aMissingRequiredFieldIsRefusedNamingIt() {
        AttachDecision d = Decisions.allowedProcsWrite().build();
        d.setNode(null);
        assertThatThrownBy(() -> EventCodec.of(AttachDecision.class).encode(d))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("AttachDecision.node");
    }
}
