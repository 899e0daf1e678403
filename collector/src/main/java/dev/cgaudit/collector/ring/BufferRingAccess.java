package dev.cgaudit.collector.ring;

import static dev.cgaudit.collector.ring.RingLayout.INTS;
import static dev.cgaudit.collector.ring.RingLayout.LONGS;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/** Ring access through VarHandle views of the ring's ByteBuffers; each access is bounds-checked. */
final class BufferRingAccess implements RingAccess {

    private final ByteBuffer consumerPage;
    private final ByteBuffer producerPage;
    private final ByteBuffer data;
    private final long mask;

    BufferRingAccess(RingMemory ring) {
        this.consumerPage = ring.consumerPage();
        this.producerPage = ring.producerPage();
        this.data = ring.data();
        this.mask = ring.size() - 1L;
    }

    @Override
    public long consumerPosition() {
        return (long) LONGS.getAcquire(consumerPage, 0);
    }

    @Override
    public void publishConsumerPosition(long position) {
        LONGS.setRelease(consumerPage, 0, position);
    }

    @Override
    public long producerPosition() {
        return (long) LONGS.getAcquire(producerPage, 0);
    }

    @Override
    public int headerWord(long position) {
        return (int) INTS.getAcquire(data, (int) (position & mask));
    }

    @Override
    public void fullFence() {
        VarHandle.fullFence();
    }
}
