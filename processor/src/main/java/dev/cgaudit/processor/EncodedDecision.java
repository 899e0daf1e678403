package dev.cgaudit.processor;

import dev.cgaudit.processor.types.EncodedDecisionSerializer;
import dev.cgaudit.processor.types.SerializerTypeInfo;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.EventIds;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One decision as it travels through the job: its single-object message (as read from Kafka, or
 * encoded once from a file) and the few fields that route and order it. Decoded once, where it is
 * evaluated: shuffles, buffers and checkpoints move bytes instead of Avro object graphs, and since
 * it never changes, Flink's copy-on-write state and object copies need not copy it
 * ({@link EncodedDecisionSerializer#copy} returns it as is).
 */
@TypeInfo(EncodedDecisionSerializer.TypeInfoFactory.class)
public final class EncodedDecision {

    /**
     * Timestamp, then boot and seq (a node's own order), then event id: a total order, so the
     * live job and a BATCH replay process ties identically.
     */
    public static final Comparator<EncodedDecision> ORDER = Comparator
            .comparingLong(EncodedDecision::timestampMicros)
            .thenComparing(EncodedDecision::bootId)
            .thenComparingLong(EncodedDecision::seq)
            .thenComparing(EncodedDecision::eventId);

    /**
     * The fields of a decision that {@link #routed} takes, in its order: all a source needs to read of
     * a message it checks (schemas' {@code FieldsReader}), since the rest is decoded where it is evaluated.
     */
    public static final List<String> ROUTING_FIELDS = List.of("node", "timestamp", "bootId", "seq", "eventId");

    private final String node;
    private final long timestampMicros;
    private final String bootId;
    private final long seq;
    /** Null when the event id is node/bootId/seq (nearly always): derived then, not carried through shuffles and state. */
    private final String otherEventId;
    private final byte[] message;

    /** @param message the decision's Avro single-object encoding; never modified afterwards */
    public EncodedDecision(String node, long timestampMicros, String bootId, long seq, String eventId, byte[] message) {
        this(node, timestampMicros, bootId, seq, message,
                EventIds.isOf(Objects.requireNonNull(eventId, "eventId"), Objects.requireNonNull(node, "node"),
                        Objects.requireNonNull(bootId, "bootId"), seq) ? null : eventId);
    }

    private EncodedDecision(String node, long timestampMicros, String bootId, long seq, byte[] message, String otherEventId) {
        this.node = Objects.requireNonNull(node, "node");
        this.timestampMicros = timestampMicros;
        this.bootId = Objects.requireNonNull(bootId, "bootId");
        this.seq = seq;
        this.otherEventId = otherEventId;
        this.message = Objects.requireNonNull(message, "message");
    }

    /**
     * For a reader of the serialized form: {@code otherEventId} as {@link #otherEventId} gives it (null
     * for node/bootId/seq), so the id is neither built nor checked again.
     */
    public static EncodedDecision read(String node, long timestampMicros, String bootId, long seq, String otherEventId,
                                       byte[] message) {
        return new EncodedDecision(node, timestampMicros, bootId, seq, message, otherEventId);
    }

    /** A checked message with the values of its {@link #ROUTING_FIELDS}, in that order. */
    public static EncodedDecision routed(Object[] routing, byte[] message) {
        return new EncodedDecision((String) routing[0], EventTime.micros((Instant) routing[1]), (String) routing[2],
                (Long) routing[3], (String) routing[4], message);
    }

    /** {@code decision} with the message it was decoded from (or encoded to). */
    public static EncodedDecision of(AttachDecision decision, byte[] message) {
        return new EncodedDecision(decision.getNode(), EventTime.micros(decision.getTimestamp()), decision.getBootId(),
                decision.getSeq(), decision.getEventId(), message);
    }

    public String node() {
        return node;
    }

    public long timestampMicros() {
        return timestampMicros;
    }

    /** Flink's event time. */
    public long millis() {
        return EventTime.millis(timestampMicros);
    }

    public String bootId() {
        return bootId;
    }

    public long seq() {
        return seq;
    }

    public String eventId() {
        return otherEventId != null ? otherEventId : EventIds.of(node, bootId, seq);
    }

    /** The event id when it is not node/bootId/seq; null when it is (and {@link #eventId} derives it). */
    public String otherEventId() {
        return otherEventId;
    }

    /** The single-object message itself (not a copy: do not modify). */
    public byte[] message() {
        return message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedDecision other && timestampMicros == other.timestampMicros && seq == other.seq
                && node.equals(other.node) && bootId.equals(other.bootId) && Objects.equals(otherEventId, other.otherEventId)
                && java.util.Arrays.equals(message, other.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(node, bootId, seq, otherEventId);
    }

    @Override
    public String toString() {
        return "EncodedDecision[" + eventId() + " at " + timestampMicros + "µs, " + message.length + " bytes]";
    }
}
