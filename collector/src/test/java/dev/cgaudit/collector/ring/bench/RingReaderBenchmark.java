package dev.cgaudit.collector.ring.bench;

import dev.cgaudit.collector.ring.InMemoryRing;
import dev.cgaudit.collector.ring.RingBufferReader;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Drain rate of the reader over an in-memory ring with the kernel layout, reading the fields
 * ringbench.c reads. Each invocation drains {@link #RECORDS} records that the per-invocation setup
 * committed (a 256-byte batch fills the 16 MiB ring; a 64-byte one fills 27% of it), so the
 * producer's work is outside the measurement. One invocation takes about half a millisecond, long
 * enough for Level.Invocation setup not to distort it. No kernel, no privileges.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RingReaderBenchmark {

    private static final int RING = 16 << 20;
    /** As many 256-byte records as the ring holds: floor((size - 1) / 264), the kernel leaves a byte free. */
    static final int RECORDS = (RING - 1) / 264;

    @Param({"64", "256"})
    public int recordSize;

    @Param({"per-record", "batched"})
    public String publish;

    private InMemoryRing ring;
    private RingBufferReader reader;
    private long seq;

    @Setup(Level.Trial)
    public void open() {
        ring = new InMemoryRing(RING);
        FieldReader fields = new FieldReader();
        int publishEvery = publish.equals("per-record") ? RingBufferReader.PUBLISH_PER_RECORD : ring.size() / 8;
        reader = new RingBufferReader(ring, fields, publishEvery);
    }

    @Setup(Level.Invocation)
    public void fill() {
        for (int i = 0; i < RECORDS; i++) {
            int at = ring.reserve(recordSize);
            if (at < 0) {
                throw new IllegalStateException("ring full after " + i + " records");
            }
            ring.putLong(at + RingBenchProgram.SEQ, seq++);
            ring.putLong(at + RingBenchProgram.KTIME, seq * 1000);
            ring.putInt(at + RingBenchProgram.TGID, 4242);
            ring.putInt(at + RingBenchProgram.CPU, 1);
            ring.commit(at);
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long drain() {
        long consumed = reader.consume().consumed();
        if (consumed != RECORDS) {
            throw new IllegalStateException("drained " + consumed + " of " + RECORDS);
        }
        return consumed;
    }
}
