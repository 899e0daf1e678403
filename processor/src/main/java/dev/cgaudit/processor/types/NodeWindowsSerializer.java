package dev.cgaudit.processor.types;

import dev.cgaudit.processor.CountedDecision;
import dev.cgaudit.processor.NodeWindows;
import dev.cgaudit.schema.Outcome;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a node's {@link NodeWindows}: the number of windows, then each window as rule id, tgid,
 * expiry and its counted decisions. A decision is its boot's position and seq (the boot id itself
 * follows the position at its first use, so each is written once), or {@code -1} and the event id
 * when that is not node/bootId/seq; then its timestamp and its outcome's position. Rule slots are not
 * written: reading a window gives its rule a slot again. The copy is {@link NodeWindows#copy()}: the
 * heap backend copies a value this way before a change could reach a snapshot in progress. Part of
 * savepoints (the router's window state): the format changes only with a new snapshot class
 * ({@link CompactIdsSnapshot} replaced {@link Snapshot}).
 */
public final class NodeWindowsSerializer extends TypeSerializerSingleton<NodeWindows> {

    private static final long serialVersionUID = 1L;

    public static final NodeWindowsSerializer INSTANCE = new NodeWindowsSerializer();

    private static final Outcome[] OUTCOMES = Outcome.values();
    /** In place of a boot's position: the decision's event id follows, as it is not node/bootId/seq. */
    private static final int OTHER_EVENT_ID = -1;
    /** A position byte saying an int position follows. */
    private static final byte LARGE_POSITION = Byte.MAX_VALUE;
    /** A scratch buffer grown past this is dropped after use, not kept for the thread's next snapshot. */
    private static final int MAX_KEPT_SCRATCH_BYTES = 1 << 20;
    /** Per thread: snapshots of several subtasks run at once, each on its own thread. */
    private static final ThreadLocal<DataOutputSerializer> SCRATCH = ThreadLocal.withInitial(() -> new DataOutputSerializer(4096));

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

    /**
     * A snapshot writes a node's windows into this thread's scratch buffer, then down the checkpoint
     * stream in one call: the stream's view takes each byte, int and long as calls down a
     * {@code DataOutputStream}, which were most of the router's snapshot cost per counted decision.
     */
    @Override
    public void serialize(NodeWindows windows, DataOutputView target) throws IOException {
        DataOutputSerializer out = SCRATCH.get();
        out.clear();
        try {
            write(windows, out);
            target.write(out.getSharedBuffer(), 0, out.length());
        } finally {
            if (out.getSharedBuffer().length > MAX_KEPT_SCRATCH_BYTES) {
                SCRATCH.remove();   // one unusually busy node should not pin its buffer
            }
        }
    }

    private static void write(NodeWindows windows, DataOutputView out) throws IOException {
        List<String> boots = new ArrayList<>(1);
        out.writeInt(windows.size());
        windows.forEach((ruleId, tgid, expiresAt, counted) -> {
            CompactStrings.write(ruleId, out);
            out.writeInt(tgid);
            out.writeLong(expiresAt);
            out.writeInt(counted.length);
            for (CountedDecision c : counted) {
                if (c.otherEventId() == null) {
                    int boot = indexOf(boots, c.bootId());
                    if (boot < 0) {
                        boot = boots.size();
                        boots.add(c.bootId());
                        writePosition(boot, out);
                        CompactStrings.write(c.bootId(), out);
                    } else {
                        writePosition(boot, out);
                    }
                    out.writeLong(c.seq());
                } else {
                    writePosition(OTHER_EVENT_ID, out);
                    CompactStrings.write(c.otherEventId(), out);
                }
                out.writeLong(c.timestampMicros());
                out.writeByte(c.outcome() == null ? -1 : c.outcome().ordinal());
            }
        });
    }

    /**
     * A decision's boot position, or {@link #OTHER_EVENT_ID}: one byte for the first
     * {@link #LARGE_POSITION} boots of the node's windows (nearly always one), else the marker and an
     * int. A heap snapshot writes an int as four calls down its stream, and this is written per
     * counted decision.
     */
    private static void writePosition(int position, DataOutputView out) throws IOException {
        if (position < LARGE_POSITION) {
            out.writeByte(position);
        } else {
            out.writeByte(LARGE_POSITION);
            out.writeInt(position);
        }
    }

    private static int readPosition(DataInputView in) throws IOException {
        byte position = in.readByte();
        return position == LARGE_POSITION ? in.readInt() : position;
    }

    /** The position of {@code boot} in {@code boots} (the same instance first: a node's decisions share theirs), or -1. */
    private static int indexOf(List<String> boots, String boot) {
        for (int i = 0; i < boots.size(); i++) {
            if (boots.get(i) == boot) {
                return i;
            }
        }
        return boots.indexOf(boot);
    }

    @Override
    public NodeWindows deserialize(DataInputView in) throws IOException {
        NodeWindows windows = new NodeWindows();
        List<String> boots = new ArrayList<>(1);
        int size = in.readInt();
        for (int w = 0; w < size; w++) {
            String ruleId = CompactStrings.read(in);
            int tgid = in.readInt();
            long expiresAt = in.readLong();
            CountedDecision[] counted = new CountedDecision[in.readInt()];
            for (int i = 0; i < counted.length; i++) {
                int boot = readPosition(in);
                String bootId = null;
                long seq = 0;
                String otherEventId = null;
                if (boot == OTHER_EVENT_ID) {
                    otherEventId = CompactStrings.read(in);
                } else {
                    if (boot == boots.size()) {
                        boots.add(CompactStrings.read(in));
                    } else if (boot < 0 || boot > boots.size()) {
                        throw new IOException("window decision names boot " + boot + " of " + boots.size());
                    }
                    bootId = boots.get(boot);
                    seq = in.readLong();
                }
                long micros = in.readLong();
                byte outcome = in.readByte();
                counted[i] = new CountedDecision(bootId, seq, otherEventId, micros, outcome < 0 ? null : OUTCOMES[outcome]);
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
        int boots = 0;
        for (int w = 0; w < size; w++) {
            CompactStrings.copy(in, out);
            out.writeInt(in.readInt());
            out.writeLong(in.readLong());
            int n = in.readInt();
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                int boot = readPosition(in);
                writePosition(boot, out);
                if (boot == OTHER_EVENT_ID) {
                    CompactStrings.copy(in, out);
                } else {
                    if (boot == boots) {
                        CompactStrings.copy(in, out);
                        boots++;
                    }
                    out.writeLong(in.readLong());
                }
                out.writeLong(in.readLong());
                out.writeByte(in.readByte());
            }
        }
    }

    @Override
    public TypeSerializerSnapshot<NodeWindows> snapshotConfiguration() {
        return new CompactIdsSnapshot();
    }

    /**
     * The first format, with each decision's event id as a string. Kept so that a savepoint written
     * with it still names a class here; {@link CompactIdsSnapshot} declares it incompatible, so such a
     * savepoint fails to restore with Flink's message instead of being misread.
     */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<NodeWindows> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** The format above: decisions by boot position and seq, an event id only where it is not node/bootId/seq. */
    public static final class CompactIdsSnapshot extends SameFormatSnapshot<NodeWindows> {
        public CompactIdsSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
