package dev.cgaudit.processor.types;

import dev.cgaudit.processor.RoutedDecision;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.Severity;
import dev.cgaudit.schema.ViolationKind;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Writes a {@link RoutedDecision} field by field (enums as their symbol's position, -1 for none).
 * Copies are the instance itself: a record of immutable values. Part of savepoints (window
 * buffers): the format changes only with a new snapshot version.
 */
public final class RoutedDecisionSerializer extends ImmutableTypeSerializer<RoutedDecision> {

    private static final long serialVersionUID = 1L;

    public static final RoutedDecisionSerializer INSTANCE = new RoutedDecisionSerializer();

    private static final Mode[] MODES = Mode.values();
    private static final Severity[] SEVERITIES = Severity.values();
    private static final ViolationKind[] KINDS = ViolationKind.values();
    private static final Outcome[] OUTCOMES = Outcome.values();

    /** Picked up through {@code @TypeInfo} on {@link RoutedDecision}: wherever Flink extracts the type. */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<RoutedDecision> {
        @Override
        public TypeInformation<RoutedDecision> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new SerializerTypeInfo<>(RoutedDecision.class, INSTANCE);
        }
    }

    @Override
    public void serialize(RoutedDecision r, DataOutputView out) throws IOException {
        StringValue.writeString(r.key(), out);
        out.writeLong(r.ruleVersion());
        writeEnum(r.mode(), out);
        writeEnum(r.severity(), out);
        writeEnum(r.kind(), out);
        StringValue.writeString(r.subtree(), out);
        out.writeInt(r.thresholdCount());
        out.writeLong(r.withinMillis());
        StringValue.writeString(r.subjectComm(), out);
        StringValue.writeString(r.eventId(), out);
        out.writeLong(r.timestampMicros());
        writeEnum(r.outcome(), out);
    }

    @Override
    public RoutedDecision deserialize(DataInputView in) throws IOException {
        return new RoutedDecision(StringValue.readString(in), in.readLong(), readEnum(MODES, in),
                readEnum(SEVERITIES, in), readEnum(KINDS, in), StringValue.readString(in), in.readInt(), in.readLong(),
                StringValue.readString(in), StringValue.readString(in), in.readLong(), readEnum(OUTCOMES, in));
    }

    private static void writeEnum(Enum<?> value, DataOutputView out) throws IOException {
        out.writeByte(value == null ? -1 : value.ordinal());
    }

    private static <E extends Enum<E>> E readEnum(E[] values, DataInputView in) throws IOException {
        byte ordinal = in.readByte();
        return ordinal < 0 ? null : values[ordinal];
    }

    @Override
    public TypeSerializerSnapshot<RoutedDecision> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1: the format above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RoutedDecision> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
