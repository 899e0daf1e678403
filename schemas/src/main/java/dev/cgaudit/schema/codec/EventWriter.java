package dev.cgaudit.schema.codec;

import java.io.OutputStream;
import java.util.Arrays;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes events of one type like {@link EventCodec#encode}, for one thread: the output buffer and
 * the Avro encoder are kept between calls, so an event costs one array of its exact size. For hot
 * paths such as the collector's reader thread; not thread-safe.
 */
public final class EventWriter<T extends SpecificRecord> {

    private final EventCodec<T> codec;
    private final Output out = new Output();
    private final BinaryEncoder encoder;

    EventWriter(EventCodec<T> codec) {
        this.codec = codec;
        this.encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    }

    /** The single-object encoding of {@code event} in a new array of its exact length. */
    public byte[] encode(T event) {
        out.count = 0;
        codec.write(event, out, encoder);
        return Arrays.copyOf(out.bytes, out.count);
    }

    /** A growable byte sink without ByteArrayOutputStream's per-write locking. */
    private static final class Output extends OutputStream {
        byte[] bytes = new byte[512];
        int count;

        @Override
        public void write(int b) {
            ensure(1);
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }

        private void ensure(int more) {
            if (count + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + more));
            }
        }
    }
}
