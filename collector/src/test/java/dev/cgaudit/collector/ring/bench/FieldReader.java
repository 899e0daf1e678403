package dev.cgaudit.collector.ring.bench;

import static dev.cgaudit.collector.ring.bench.RingBenchProgram.CPU;
import static dev.cgaudit.collector.ring.bench.RingBenchProgram.KTIME;
import static dev.cgaudit.collector.ring.bench.RingBenchProgram.SEQ;
import static dev.cgaudit.collector.ring.bench.RingBenchProgram.TGID;

import dev.cgaudit.collector.ring.RecordHandler;
import java.nio.ByteBuffer;

/**
 * The per-record work of every benchmark consumer, the same as {@code on_record} in ringbench.c:
 * read four fields, check the sequence, fold the rest into a checksum so nothing is dead code.
 */
public final class FieldReader implements RecordHandler {

    long count;
    long expected;
    long gaps;
    long acc;

    @Override
    public void onRecord(ByteBuffer data, int offset, int length) {
        long seq = data.getLong(offset + SEQ);
        if (seq != expected) {
            gaps++;
        }
        expected = seq + 1;
        acc += data.getLong(offset + KTIME) ^ (data.getInt(offset + TGID) & 0xFFFF_FFFFL)
                ^ (data.getInt(offset + CPU) & 0xFFFF_FFFFL);
        count++;
    }

    public long count() {
        return count;
    }

    public long gaps() {
        return gaps;
    }

    public long expected() {
        return expected;
    }

    public long checksum() {
        return acc;
    }
}
