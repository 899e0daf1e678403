package dev.cgaudit.collector.ring;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;

/**
 * The few libc calls the ring needs: mapping it and waiting on it. Never called per record. Read
 * errno with {@code jnr.ffi.Runtime.getRuntime(libc).getLastError()} right after a failed call
 * (jnr-ffi maps every method of this interface, so no helper methods can live here).
 */
public interface LibC {

    int PROT_READ = 0x1;
    int PROT_WRITE = 0x2;
    int MAP_SHARED = 0x01;
    /** (void *) -1 */
    long MAP_FAILED = -1L;

    int EPOLL_CLOEXEC = 0x80000;
    int EPOLL_CTL_ADD = 1;
    int EPOLLIN = 0x001;
    int EINTR = 4;

    /*
     * Addresses are Pointers, not longs: with a long first argument jnr-ffi's call reached the
     * kernel as something it rejected with EINVAL (seen with jnr-ffi 2.2.17 here).
     */
    @SaveError
    Pointer mmap(Pointer addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

    @SaveError
    int munmap(Pointer addr, @size_t long length);

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
}
