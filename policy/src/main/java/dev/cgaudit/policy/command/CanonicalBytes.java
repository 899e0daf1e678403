package dev.cgaudit.policy.command;

import dev.cgaudit.schema.PolicyCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The bytes a command's signature covers: the Avro binary encoding of the command with
 * {@code signature} set to null (and {@code keyId} set, so the signer's identity is signed too).
 * Avro binary encoding is deterministic for a given schema, which is what makes it canonical.
 */
public final class CanonicalBytes {

    private static final SpecificDatumWriter<PolicyCommand> WRITER = new SpecificDatumWriter<>(PolicyCommand.class);

    private CanonicalBytes() {
    }

    public static byte[] of(PolicyCommand command) {
        PolicyCommand unsigned = PolicyCommand.newBuilder(command).setSignature(null).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            WRITER.write(unsigned, encoder);
            encoder.flush();
        } catch (IOException e) {
            // Writing to memory does not fail; reaching this is a bug.
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
