package dev.cgaudit.collector.ring.bench;

import static dev.cgaudit.collector.ring.bench.RingBenchProgram.CPU;
import static dev.cgaudit.collector.ring.bench.RingBenchProgram.KTIME;
import static dev.cgaudit.collector.ring.bench.RingBenchProgram.SEQ;
import static dev.cgaudit.collector.ring.bench.RingBenchProgram.TGID;

import dev.cgaudit.collector.ring.RecordHandler;
import dev.cgaudit.collector.ring.RingRecord;

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
    public void onRecord(RingRecord record) {
        long seq = record.getLong(SEQ);
        if (seq != expected) {
            gaps++;
        }
        expected = seq + 1;
        acc += record.getLong(KTIME) ^ (record.getInt(TGID) & 0xFFFF_FFFFL)
                ^ (record.getInt(CPU) & 0xFFFF_FFFFL);
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
