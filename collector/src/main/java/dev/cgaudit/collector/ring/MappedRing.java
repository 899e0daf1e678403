package dev.cgaudit.collector.ring;

import com.kenai.jffi.MemoryIO;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import jnr.ffi.Pointer;

/**
 * A BPF ring buffer map mapped into this process, exactly as libbpf maps it: the consumer page
 * read-write at offset 0, then the producer page and the twice-mapped data area read-only at offset
 * one page. The mappings are wrapped as direct ByteBuffers, so the reader's loads and stores are
 * plain Java memory accesses; no native call happens after {@link #map}.
 *
 * <p>The producer page and data area are exposed read-only: the kernel maps them without write
 * permission, and a write through a writable buffer would crash the JVM instead of throwing.
 * Close only after the reader thread has stopped: the buffers point at the unmapped memory then.
 */
public final class MappedRing implements RingMemory {

    private final LibC libc;
    private final int size;
    private final int pageSize;
    private final long consumerAddress;
    private final long producerAddress;
    private final ByteBuffer consumerPage;
    private final ByteBuffer producerPage;
    private final ByteBuffer data;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MappedRing(LibC libc, int size, int pageSize, long consumerAddress, long producerAddress) {
        this.libc = libc;
        this.size = size;
        this.pageSize = pageSize;
        this.consumerAddress = consumerAddress;
        this.producerAddress = producerAddress;
        MemoryIO io = MemoryIO.getInstance();
        this.consumerPage = io.newDirectByteBuffer(consumerAddress, pageSize).order(ByteOrder.nativeOrder());
        this.producerPage = io.newDirectByteBuffer(producerAddress, pageSize)
                .asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        this.data = io.newDirectByteBuffer(producerAddress + pageSize, 2 * size)
                .asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    /** Maps the ring buffer map {@code mapFd} whose {@code max_entries} is {@code size}. */
    public static MappedRing map(int mapFd, int size) throws IOException {
        return map(LibC.load(), mapFd, size);
    }

    /**
     * Maps the ring buffer map {@code mapFd}. {@code size} must be the map's {@code max_entries}:
     * a larger one fails (the kernel refuses to map past the ring), a smaller one would be accepted
     * by the kernel and misread every record that crosses the smaller boundary.
     */
    public static MappedRing map(LibC libc, int mapFd, int size) throws IOException {
        int pageSize = libc.getpagesize();
        RingLayout.checkSize(size, pageSize);
        long consumer = address(libc.mmap(null, pageSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, mapFd, 0));
        if (consumer == LibC.MAP_FAILED) {
            throw new IOException("mmap of the consumer page of ring buffer fd " + mapFd + " failed: errno "
                    + jnr.ffi.Runtime.getRuntime(libc).getLastError());
        }
        long producer = address(libc.mmap(null, pageSize + 2L * size, LibC.PROT_READ, LibC.MAP_SHARED, mapFd, pageSize));
        if (producer == LibC.MAP_FAILED) {
            int errno = jnr.ffi.Runtime.getRuntime(libc).getLastError();
            unmap(libc, consumer, pageSize);
            throw new IOException("mmap of the producer page and data of ring buffer fd " + mapFd
                    + " (size " + size + ") failed: errno " + errno
                    + (errno == 22 ? " (EINVAL: is " + size + " the map's max_entries?)" : ""));
        }
        return new MappedRing(libc, size, pageSize, consumer, producer);
    }

    private static long address(Pointer p) {
        return p == null ? LibC.MAP_FAILED : p.address();
    }

    private static void unmap(LibC libc, long address, long length) {
        libc.munmap(Pointer.wrap(jnr.ffi.Runtime.getRuntime(libc), address), length);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public ByteBuffer consumerPage() {
        return consumerPage;
    }

    @Override
    public ByteBuffer producerPage() {
        return producerPage;
    }

    @Override
    public ByteBuffer data() {
        return data;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            unmap(libc, producerAddress, pageSize + 2L * size);
            unmap(libc, consumerAddress, pageSize);
        }
    }
}
