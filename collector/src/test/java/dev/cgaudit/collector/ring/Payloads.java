package dev.cgaudit.collector.ring;

import java.util.ArrayList;
import java.util.List;

/** Named fixtures: recognisable payloads and a handler that copies what it is given. */
final class Payloads {

    private Payloads() {
    }

    /** {@code length} bytes, each derived from {@code tag} and its index, so any mix-up shows. */
    static byte[] payload(int tag, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (tag * 31 + i);
        }
        return b;
    }

    /** Copies every payload, as the handler contract requires of anything that keeps bytes. */
    static final class Collecting implements RecordHandler {
        final List<byte[]> records = new ArrayList<>();

        @Override
        public void onRecord(RingRecord record) {
            byte[] copy = new byte[record.length()];
            record.get(0, copy, 0, copy.length);
            records.add(copy);
        }
    }
}
