package dev.cgaudit.collector.ring;

import java.io.IOException;
import java.io.UncheckedIOException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Waits on a ring buffer map fd with epoll, level-triggered: the kernel reports the fd readable
 * while the producer is ahead of the consumer, and wakes the waiter when a record is committed at
 * the consumer position. One native call per wait, none per record.
 */
public final class EpollWaiter implements RingWaiter {

    /** struct epoll_event is 12 bytes packed on x86-64 and 16 on arm64; room for either. */
    private static final int EVENT_BYTES = 16;

    private final LibC libc;
    private final int epfd;
    private final Pointer events;
    private volatile boolean closed;

    private EpollWaiter(LibC libc, int epfd, Pointer events) {
        this.libc = libc;
        this.epfd = epfd;
        this.events = events;
    }

    public static EpollWaiter open(int mapFd) throws IOException {
        return open(LibC.load(), mapFd);
    }

    public static EpollWaiter open(LibC libc, int mapFd) throws IOException {
        int epfd = libc.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (epfd < 0) {
            throw new IOException("epoll_create1 failed: errno " + jnr.ffi.Runtime.getRuntime(libc).getLastError());
        }
        Runtime runtime = Runtime.getRuntime(libc);
        Pointer event = Memory.allocateDirect(runtime, EVENT_BYTES, true);
        event.putInt(0, LibC.EPOLLIN);
        if (libc.epoll_ctl(epfd, LibC.EPOLL_CTL_ADD, mapFd, event) < 0) {
            int errno = jnr.ffi.Runtime.getRuntime(libc).getLastError();
            libc.close(epfd);
            throw new IOException("epoll_ctl(ADD) of ring buffer fd " + mapFd + " failed: errno " + errno);
        }
        return new EpollWaiter(libc, epfd, Memory.allocateDirect(runtime, EVENT_BYTES, true));
    }

    @Override
    public boolean await(int timeoutMillis) {
        if (closed) {
            return false;
        }
        int n = libc.epoll_wait(epfd, events, 1, timeoutMillis);
        if (n < 0) {
            int errno = jnr.ffi.Runtime.getRuntime(libc).getLastError();
            if (errno == LibC.EINTR) {
                return false;
            }
            throw new UncheckedIOException(new IOException("epoll_wait failed: errno " + errno));
        }
        return n > 0;
    }

    /** Call from the reader thread after its loop ended, or after it can no longer call await. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            libc.close(epfd);
        }
    }
}
