package dev.cgaudit.collector.ring;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;

/** The few libc calls the ring needs: mapping it and waiting on it. Never called per record. */
public interface LibC {

    int PROT_READ = 0x1;
    int PROT_WRITE = 0x2;
    int MAP_SHARED = 0x01;
    long MAP_FAILED = -1L;

    int EPOLL_CLOEXEC = 0x80000;
    int EPOLL_CTL_ADD = 1;
    int EPOLLIN = 0x001;
    int EINTR = 4;

    @SaveError
    long mmap(long addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

    @SaveError
    int munmap(long addr, @size_t long length);

    int getpagesize();

    @SaveError
    int epoll_create1(int flags);

    @SaveError
    int epoll_ctl(int epfd, int op, int fd, Pointer event);

    @SaveError
    int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMillis);

    @SaveError
    int close(int fd);

    /** Binds libc. Done explicitly, at open time, never in a static initialiser. */
    static LibC load() {
        return LibraryLoader.create(LibC.class).load("c");
    }

    /** errno of the last call made with {@code @SaveError} on this thread. */
    static int errno(LibC libc) {
        return Runtime.getRuntime(libc).getLastError();
    }
}
