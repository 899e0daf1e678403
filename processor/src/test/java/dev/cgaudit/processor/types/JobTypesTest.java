package dev.cgaudit.processor.types;

import static dev.cgaudit.processor.Moves.T0;
import static dev.cgaudit.processor.Moves.byShell;
import static dev.cgaudit.processor.Moves.move;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.processor.CountedDecision;
import dev.cgaudit.processor.DeadLetter;
import dev.cgaudit.processor.DecisionRecord;
import dev.cgaudit.processor.EncodedDecision;
import dev.cgaudit.processor.EventTime;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.NodeWindows;
import dev.cgaudit.processor.Rules;
import dev.cgaudit.processor.Violations;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.codec.EventCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The job's own types get their own serializers, never Kryo: a {@link GenericTypeInfo} anywhere in
 * what is shuffled or kept in state would silently cost a Kryo round trip per record. (The jobs
 * also run with {@code pipeline.generic-types: false}, so the integration tests would fail too.)
 */
class JobTypesTest {

    static final EventCodec<AttachDecision> CODEC = EventCodec.of(AttachDecision.class);

    @Test
    void decisions_and_windows_have_their_own_serializers() {
        assertThat(TypeInformation.of(EncodedDecision.class)).isInstanceOf(SerializerTypeInfo.class);
        assertThat(JobDescriptors.DECISION.createSerializer(new SerializerConfigImpl()))
                .isInstanceOf(EncodedDecisionSerializer.class);
        assertThat(TypeInformation.of(NodeWindows.class)).isInstanceOf(SerializerTypeInfo.class);
        assertThat(TypeInformation.of(NodeWindows.class).createSerializer(new SerializerConfigImpl()))
                .isInstanceOf(NodeWindowsSerializer.class);
    }

    @Test
    void no_state_descriptor_and_no_stream_type_falls_back_to_kryo() {
        ExecutionConfig job = new ExecutionConfig();
        ((SerializerConfigImpl) job.getSerializerConfig()).setGenericTypes(false);
        SerializerConfig noGenerics = job.getSerializerConfig();
        List<TypeInformation<?>> types = new ArrayList<>(List.of(JobDescriptors.RULE_CHANGE, JobDescriptors.DECISION,
                JobDescriptors.STATUS, TypeInformation.of(NodeWindows.class), TypeInformation.of(DecisionRecord.class),
                TypeInformation.of(DeadLetter.class)));
        for (StateDescriptor<?, ?> d : descriptors()) {
            d.initializeSerializerUnlessSet(job);
            assertThat(d.getSerializer()).as(d.getName()).isNotNull();
        }
        for (TypeInformation<?> t : types) {
            assertThat(t).as(t.toString()).isNotInstanceOf(GenericTypeInfo.class);
            assertThat(t.createSerializer(noGenerics)).as(t.toString()).isNotNull();
        }
    }

    @Test
    void an_encoded_decision_round_trips_and_is_never_copied() throws Exception {
        AttachDecision d = byShell(move("node-a", 7, T0, "/user.slice", "/system.slice/x"), 5000).build();
        EncodedDecision e = EncodedDecision.of(d, CODEC.encode(d));
        assertThat(e.timestampMicros()).isEqualTo(EventTime.micros(T0));
        EncodedDecisionSerializer s = EncodedDecisionSerializer.INSTANCE;

        EncodedDecision back = roundTrip(s, e);
        assertThat(back).isEqualTo(e).isNotSameAs(e);
        assertThat(CODEC.decode(back.message())).isEqualTo(d);
        assertThat(s.copy(e)).isSameAs(e);
    }

    @Test
    void an_encoded_decision_carries_its_event_id_only_when_it_is_not_node_boot_seq() throws Exception {
        AttachDecision d = byShell(move("node-a", 7, T0, "/user.slice", "/system.slice/x"), 5000).build();
        EncodedDecision derived = EncodedDecision.of(d, CODEC.encode(d));
        assertThat(derived.otherEventId()).isNull();
        assertThat(derived.eventId()).isEqualTo(d.getEventId()).isEqualTo(d.getNode() + "/" + d.getBootId() + "/" + d.getSeq());

        d.setEventId("from-an-older-collector-7");
        EncodedDecision foreign = EncodedDecision.of(d, CODEC.encode(d));
        assertThat(foreign.eventId()).isEqualTo(foreign.otherEventId()).isEqualTo("from-an-older-collector-7");
        EncodedDecision back = roundTrip(EncodedDecisionSerializer.INSTANCE, foreign);
        assertThat(back).isEqualTo(foreign);
        assertThat(back.eventId()).isEqualTo("from-an-older-collector-7");
        assertThat(back).isNotEqualTo(roundTrip(EncodedDecisionSerializer.INSTANCE, derived));

        // Buffers in savepoints of the first format (event id always written) do not restore.
        var current = EncodedDecisionSerializer.INSTANCE.snapshotConfiguration();
        assertThat(current.resolveSchemaCompatibility(new EncodedDecisionSerializer.Snapshot()).isIncompatible()).isTrue();
        assertThat(current.resolveSchemaCompatibility(EncodedDecisionSerializer.INSTANCE.snapshotConfiguration())
                .isCompatibleAsIs()).isTrue();
    }

    @Test
    void a_nodes_windows_round_trip_and_a_copy_is_apart_from_the_original() throws Exception {
        CountedDecision first = counted("node-a", "node-a/boot/1", "boot", 1, 42, Outcome.DENIED);
        CountedDecision second = counted("node-a", "nöde-ä/😀/2", "😀", 2, 43, null);
        CountedDecision rebooted = counted("node-a", "node-a/boot-2/7", "boot-2", 7, 44, Outcome.ALLOWED);
        NodeWindows w = new NodeWindows();
        w.put(w.subject("probing", 5000), new CountedDecision[] {first}, 10_099);
        w.put(w.subject("bouncing", -1), new CountedDecision[] {first, second, rebooted}, Long.MAX_VALUE);
        NodeWindowsSerializer s = NodeWindowsSerializer.INSTANCE;

        NodeWindows back = roundTrip(s, w);
        assertThat(back).isNotSameAs(w);
        assertThat(contents(back)).isEqualTo(contents(w)).containsExactlyInAnyOrder(
                "probing|5000 until 10099: [node-a/boot/1 at 42 DENIED]",
                "bouncing|-1 until 9223372036854775807: [node-a/boot/1 at 42 DENIED, nöde-ä/😀/2 at 43 null, "
                        + "node-a/boot-2/7 at 44 ALLOWED]");
        assertThat(roundTrip(s, new NodeWindows()).isEmpty()).isTrue();

        // What the heap backend relies on: changing the live value after a copy leaves the copy (a snapshot's) as it was.
        NodeWindows copy = s.copy(w);
        List<String> before = contents(copy);
        w.remove(w.subject("probing", 5000));
        w.put(w.subject("bouncing", -1), new CountedDecision[] {second}, 7);
        w.put(w.subject("churn", 9), new CountedDecision[] {second}, 8);
        w.removeRule("bouncing");
        assertThat(contents(copy)).isEqualTo(before);
        assertThat(contents(w)).containsExactly("churn|9 until 8: [nöde-ä/😀/2 at 43 null]");
    }

    @Test
    void a_counted_decision_keeps_its_event_id_only_when_it_is_not_node_boot_seq() {
        assertThat(counted("node-a", "node-a/boot/1", "boot", 1, 42, Outcome.DENIED))
                .isEqualTo(new CountedDecision("boot", 1, null, 42, Outcome.DENIED));
        CountedDecision foreign = counted("node-a", "node-a/boot/01", "boot", 1, 42, Outcome.DENIED);
        assertThat(foreign).isEqualTo(new CountedDecision(null, 0, "node-a/boot/01", 42, Outcome.DENIED));
        assertThat(foreign.eventId("node-a")).isEqualTo("node-a/boot/01");
    }

    @Test
    void windows_share_one_instance_of_their_boot_id() throws Exception {
        NodeWindows w = new NodeWindows();
        String boot = new String("boot-1");
        assertThat(w.boot(boot)).isSameAs(boot);
        assertThat(w.boot(new String("boot-1"))).isSameAs(boot);
        String next = new String("boot-2");
        assertThat(w.boot(next)).isSameAs(next);
        // Read back from a snapshot, a node's decisions share the boot id too.
        w.put(w.subject("probing", 1), new CountedDecision[] {new CountedDecision(new String("b"), 1, null, 1, null)}, 9);
        w.put(w.subject("probing", 2), new CountedDecision[] {new CountedDecision(new String("b"), 2, null, 2, null)}, 9);
        List<String> boots = new ArrayList<>();
        roundTrip(NodeWindowsSerializer.INSTANCE, w).forEach((rule, tgid, expiresAt, counted) -> boots.add(counted[0].bootId()));
        assertThat(boots).hasSize(2);
        assertThat(boots.get(0)).isSameAs(boots.get(1));
    }

    @Test
    void windows_naming_many_boots_round_trip() throws Exception {
        NodeWindows w = new NodeWindows();
        for (int boot = 0; boot < 300; boot++) {
            w.put(w.subject("churn-0", boot), new CountedDecision[] {
                    counted("node-a", "node-a/boot-" + boot + "/" + boot, "boot-" + boot, boot, boot, Outcome.ALLOWED)}, 9);
        }
        w.put(w.subject("churn-0", -5), new CountedDecision[] {counted("node-a", "foreign", "b", 1, 1, null)}, 9);
        assertThat(contents(roundTrip(NodeWindowsSerializer.INSTANCE, w))).hasSize(301).isEqualTo(contents(w))
                .contains("churn-0|299 until 9: [node-a/boot-299/299 at 299 ALLOWED]", "churn-0|-5 until 9: [foreign at 1 null]");
    }

    @Test
    void windows_written_in_the_first_format_do_not_restore() {
        var current = NodeWindowsSerializer.INSTANCE.snapshotConfiguration();
        assertThat(current.resolveSchemaCompatibility(new NodeWindowsSerializer.Snapshot()).isIncompatible()).isTrue();
        assertThat(current.resolveSchemaCompatibility(NodeWindowsSerializer.INSTANCE.snapshotConfiguration())
                .isCompatibleAsIs()).isTrue();
    }

    static List<String> contents(NodeWindows w) throws Exception {
        List<String> out = new ArrayList<>();
        w.forEach((rule, tgid, expiresAt, counted) -> out.add(rule + "|" + tgid + " until " + expiresAt + ": "
                + Stream.of(counted).map(c -> c.eventId("node-a") + " at " + c.timestampMicros() + " " + c.outcome()).toList()));
        return out;
    }

    @Test
    void compact_strings_round_trip_whatever_their_characters() throws Exception {
        for (String s : List.of("", "churn-0|10234", "nöde-ä/😀", "x".repeat(70_000))) {
            DataOutputSerializer out = new DataOutputSerializer(16);
            CompactStrings.write(s, out);
            DataOutputSerializer copied = new DataOutputSerializer(16);
            CompactStrings.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
            assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
            DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
            assertThat(CompactStrings.read(in)).isEqualTo(s);
            assertThat(in.available()).isZero();
        }
    }

    @Test
    void violations_travel_as_their_message_and_every_violation_stream_has_that_type() throws Exception {
        PolicyViolation v = Violations.window(Rules.probing(), 3, "node-a", 5000, "bash",
                List.of(new CountedDecision("boot", 1, null, 42, Outcome.DENIED), new CountedDecision("boot", 2, null, 43, Outcome.DENIED)));
        ViolationSerializer s = new ViolationSerializer();
        assertThat(roundTrip(s, v)).isEqualTo(v).isNotSameAs(v);
        assertThat(s.copy(v)).isEqualTo(v).isNotSameAs(v);
        assertThat(ViolationSerializer.TYPE.createSerializer(new SerializerConfigImpl())).isInstanceOf(ViolationSerializer.class)
                .isNotSameAs(ViolationSerializer.TYPE.createSerializer(new SerializerConfigImpl()));
    }

    static <T> T roundTrip(TypeSerializer<T> s, T value) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(value, out);
        // copy(DataInputView, DataOutputView) must move exactly one record's bytes
        DataOutputSerializer copied = new DataOutputSerializer(64);
        s.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        T back = s.deserialize(in);
        assertThat(in.available()).isZero();
        return back;
    }

    static List<StateDescriptor<?, ?>> descriptors() {
        return Stream.of(JobDescriptors.class.getFields())
                .filter(f -> StateDescriptor.class.isAssignableFrom(f.getType()))
                .<StateDescriptor<?, ?>>map(f -> {
                    try {
                        return (StateDescriptor<?, ?>) f.get(null);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
    }

    /** A decision as a window counts it, through the encoded form the router hands over. */
    private static CountedDecision counted(String node, String eventId, String bootId, long seq, long micros, Outcome outcome) {
        return CountedDecision.of(new EncodedDecision(node, micros, bootId, seq, eventId, new byte[0]), bootId, outcome);
    }
}
