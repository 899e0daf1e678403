package dev.cgaudit.processor.types;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Strings in the job's own formats: the UTF-8 length, then the bytes in one write. Flink's
 * {@code StringValue.writeString} writes char by char, and a heap checkpoint writes through a
 * {@code DataOutputStream}, whose single-byte write is synchronized: with a million open windows
 * per checkpoint, those per-character calls were half of the snapshot thread.
 */
final class CompactStrings {

    private CompactStrings() {
    }

    static void write(String s, DataOutputView out) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static String read(DataInputView in) throws IOException {
        return read(in.readInt(), in);
    }

    /** The string whose length {@code length} the caller has read already. */
    static String read(int length, DataInputView in) throws IOException {
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static void copy(DataInputView in, DataOutputView out) throws IOException {
        copy(in.readInt(), in, out);
    }

    /** Copies the string whose length {@code length} the caller has read already. */
    static void copy(int length, DataInputView in, DataOutputView out) throws IOException {
        // Not out.write(in, length): DataOutputSerializer does not grow for it.
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        out.writeInt(bytes.length);
        out.write(bytes);
    }
}
