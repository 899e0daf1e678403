package dev.cgaudit.collector.bpf;

import java.util.Arrays;

/**
 * What the capture program could not deliver since load, summed over CPUs: per record type
 * (failed {@code bpf_ringbuf_reserve}, index = {@code enum cga_record_type}) and decisions lost
 * because the per-thread pending map was full (index 0 of {@code cga_lost}).
 */
public record LostCounters(long pendingMapFull, long[] byRecordType) {

    public LostCounters {
        byRecordType = byRecordType.clone();
    }

    /** Reserve failures of one record type (e.g. {@code RecordLayout.REC_DECISION}). */
    public long ringReserveFailures(int recordType) {
        return recordType > 0 && recordType < byRecordType.length ? byRecordType[recordType] : 0;
    }

    /** Every decision lost, whatever the reason. */
    public long total() {
        long sum = pendingMapFull;
        for (int t = 1; t < byRecordType.length; t++) {
            sum += byRecordType[t];
        }
        return sum;
    }

    @Override
    public long[] byRecordType() {
        return byRecordType.clone();
    }

    @Override
    public String toString() {
        return "LostCounters[pendingMapFull=" + pendingMapFull + ", byRecordType=" + Arrays.toString(byRecordType) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LostCounters l && l.pendingMapFull == pendingMapFull && Arrays.equals(l.byRecordType, byRecordType);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(pendingMapFull) * 31 + Arrays.hashCode(byRecordType);
    }
}
