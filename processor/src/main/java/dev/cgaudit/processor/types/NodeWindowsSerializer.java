package dev.cgaudit.processor.types;

import dev.cgaudit.processor.CountedDecision;
import dev.cgaudit.processor.NodeWindows;
import dev.cgaudit.schema.Outcome;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a node's {@link NodeWindows}: the number of windows, then each as rule id, tgid, expiry and
 * its counted decisions (event id, timestamp, outcome as its symbol's position). Rule slots are not
 * written: reading a window gives its rule a slot again. The copy is {@link NodeWindows#copy()}: the
 * heap backend copies a value this way before a change could reach a snapshot in progress. Part of
 * savepoints (the router's window state): the format changes only with a new snapshot version.
 */
public final class NodeWindowsSerializer extends TypeSerializerSingleton<NodeWindows> {

    private static final long serialVersionUID = 1L;

    public static final NodeWindowsSerializer INSTANCE = new NodeWindowsSerializer();

    private static final Outcome[] OUTCOMES = Outcome.values();

    /** Picked up through {@code @TypeInfo} on {@link NodeWindows}. */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<NodeWindows> {
        @Override
        public TypeInformation<NodeWindows> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new SerializerTypeInfo<>(NodeWindows.class, INSTANCE);
        }
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public NodeWindows createInstance() {
        return new NodeWindows();
    }

    @Override
    public NodeWindows copy(NodeWindows from) {
        return from.copy();
    }

    @Override
    public NodeWindows copy(NodeWindows from, NodeWindows reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(NodeWindows windows, DataOutputView out) throws IOException {
        out.writeInt(windows.size());
        windows.forEach((ruleId, tgid, expiresAt, counted) -> {
            CompactStrings.write(ruleId, out);
            out.writeInt(tgid);
            out.writeLong(expiresAt);
            out.writeInt(counted.length);
            for (CountedDecision c : counted) {
                CompactStrings.write(c.eventId(), out);
                out.writeLong(c.timestampMicros());
                out.writeByte(c.outcome() == null ? -1 : c.outcome().ordinal());
            }
        });
    }

    @Override
    public NodeWindows deserialize(DataInputView in) throws IOException {
        NodeWindows windows = new NodeWindows();
        int size = in.readInt();
        for (int w = 0; w < size; w++) {
            String ruleId = CompactStrings.read(in);
            int tgid = in.readInt();
            long expiresAt = in.readLong();
            CountedDecision[] counted = new CountedDecision[in.readInt()];
            for (int i = 0; i < counted.length; i++) {
                String eventId = CompactStrings.read(in);
                long micros = in.readLong();
                byte outcome = in.readByte();
                counted[i] = new CountedDecision(eventId, micros, outcome < 0 ? null : OUTCOMES[outcome]);
            }
            windows.put(windows.subject(ruleId, tgid), counted, expiresAt);
        }
        return windows;
    }

    @Override
    public NodeWindows deserialize(NodeWindows reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        int size = in.readInt();
        out.writeInt(size);
        for (int w = 0; w < size; w++) {
            CompactStrings.copy(in, out);
            out.writeInt(in.readInt());
            out.writeLong(in.readLong());
            int n = in.readInt();
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                CompactStrings.copy(in, out);
                out.writeLong(in.readLong());
                out.writeByte(in.readByte());
            }
        }
    }

    @Override
    public TypeSerializerSnapshot<NodeWindows> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The format above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<NodeWindows> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
