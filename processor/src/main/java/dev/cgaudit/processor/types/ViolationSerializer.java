package dev.cgaudit.processor.types;

import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.codec.DecodeException;
import dev.cgaudit.schema.codec.EventCodec;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Violations between the detectors and the sinks (Kafka, or replay's collect sink) as their
 * single-object message, written with the schemas module's compiled encoder and read with its fast
 * reader. Without it Flink picks its Avro serializer, which reads every violation back with Avro's
 * interpreted resolving decoder. Never kept in state. One codec per instance, and each use gets its
 * own instance ({@link #duplicate}).
 */
public final class ViolationSerializer extends TypeSerializer<PolicyViolation> {

    private static final long serialVersionUID = 1L;

    /** The type of every violation stream of the job. */
    public static final TypeInformation<PolicyViolation> TYPE = new SerializerTypeInfo<>(PolicyViolation.class,
            new ViolationSerializer());

    private transient EventCodec<PolicyViolation> codec;

    private EventCodec<PolicyViolation> codec() {
        if (codec == null) {
            codec = EventCodec.of(PolicyViolation.class);
        }
        return codec;
    }

    @Override
    public void serialize(PolicyViolation v, DataOutputView out) throws IOException {
        byte[] message = codec().encode(v);
        out.writeInt(message.length);
        out.write(message);
    }

    @Override
    public PolicyViolation deserialize(DataInputView in) throws IOException {
        byte[] message = new byte[in.readInt()];
        in.readFully(message);
        try {
            return codec().decodeAccepted(message);
        } catch (DecodeException e) {
            throw new IOException("a violation this serializer wrote does not decode", e);
        }
    }

    @Override
    public PolicyViolation deserialize(PolicyViolation reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int length = source.readInt();
        byte[] message = new byte[length];
        source.readFully(message);
        target.writeInt(length);
        target.write(message);
    }

    @Override
    public PolicyViolation copy(PolicyViolation from) {
        return PolicyViolation.newBuilder(from).build();
    }

    @Override
    public PolicyViolation copy(PolicyViolation from, PolicyViolation reuse) {
        return copy(from);
    }

    @Override
    public PolicyViolation createInstance() {
        return new PolicyViolation();
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<PolicyViolation> duplicate() {
        return new ViolationSerializer();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ViolationSerializer;
    }

    @Override
    public int hashCode() {
        return ViolationSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<PolicyViolation> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1: the format above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PolicyViolation> {
        public Snapshot() {
            super(ViolationSerializer::new);
        }
    }
}
