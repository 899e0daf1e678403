package dev.cgaudit.collector.bpf;

import dev.cgaudit.collector.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;

/**
 * The few libbpf 1.x functions the collector needs, bound with jnr-ffi to the system's
 * {@code libbpf.so.1}. Error conventions of libbpf 1.x (its "strict mode", the only mode since 1.0):
 * functions returning {@code int} return {@code -errno} on failure; functions returning a pointer
 * return NULL and leave the error in {@code errno}, which jnr-ffi saves after every call (see
 * {@link #load()}), so read it with {@code Runtime.getLastError()} right after the call, on the same
 * thread. {@code libbpf_get_error()} is legacy and not bound.
 *
 * <p>Use {@link BpfObject} rather than calling this directly; the interface is public so test code and
 * other loaders (e.g. a benchmark program) can reach the ring-buffer and map functions.
 */
public interface LibBpf {

    /** The soname of libbpf 1.x; Debian 12 ships 1.1 as package {@code libbpf1}. */
    String SONAME = "libbpf.so.1";
    int MIN_MAJOR = 1;
    int MIN_MINOR = 1;

    /** {@code enum bpf_map_type} values used here (uapi/linux/bpf.h). */
    int BPF_MAP_TYPE_RINGBUF = 27;

    /** BTF kinds (uapi/linux/btf.h). */
    int BTF_KIND_VAR = 14;
    int BTF_KIND_DATASEC = 15;
    int BTF_KIND_FUNC = 12;

    /**
     * Loads libbpf and checks its version. Every call goes through jnr's loader (which caches the
     * native library), so there is no static state and nothing native happens before this call.
     *
     * @throws BpfException errno ENOENT when libbpf cannot be loaded, ENOTSUP when it is older than 1.1
     */
    static LibBpf load() throws BpfException {
        LibBpf lib;
        try {
            lib = LibraryLoader.create(LibBpf.class)
                    .option(LibraryOption.SaveError, Boolean.TRUE)
                    .failImmediately()
                    .load(SONAME);
        } catch (LinkageError | RuntimeException e) {
            throw new BpfException("load " + SONAME, Errno.ENOENT,
                    "cannot load " + SONAME + " (install Debian package libbpf1): " + e.getMessage());
        }
        int major = lib.libbpf_major_version();
        int minor = lib.libbpf_minor_version();
        if (major < MIN_MAJOR || (major == MIN_MAJOR && minor < MIN_MINOR)) {
            throw new BpfException("load " + SONAME, Errno.ENOTSUP, "libbpf " + major + "." + minor
                    + " found, " + MIN_MAJOR + "." + MIN_MINOR + " or newer needed");
        }
        return lib;
    }

    int libbpf_major_version();

    int libbpf_minor_version();

    /**
     * Replaces libbpf's log function and returns the previous one; {@code null} silences libbpf.
     * Used around capability probes, whose expected refusals would otherwise print as errors.
     */
    Pointer libbpf_set_print(Pointer fn);

    int libbpf_num_possible_cpus();

    /** 1 when the kernel supports the map type, 0 when not, negative errno when probing failed. */
    int libbpf_probe_bpf_map_type(int mapType, Pointer opts);

    int libbpf_strerror(int err, @Out byte[] buf, @size_t long size);

    // ---- bpf_object ----

    /** The buffer must stay valid until {@link #bpf_object__load} returned (libbpf parses it lazily). */
    Pointer bpf_object__open_mem(Pointer objBuf, @size_t long objBufSize, Pointer opts);

    Pointer bpf_object__open_file(String path, Pointer opts);

    int bpf_object__load(Pointer obj);

    void bpf_object__close(Pointer obj);

    Pointer bpf_object__btf(Pointer obj);

    Pointer bpf_object__find_program_by_name(Pointer obj, String name);

    Pointer bpf_object__next_program(Pointer obj, Pointer prev);

    Pointer bpf_object__find_map_by_name(Pointer obj, String name);

    // ---- bpf_program ----

    String bpf_program__name(Pointer prog);

    String bpf_program__section_name(Pointer prog);

    boolean bpf_program__autoload(Pointer prog);

    int bpf_program__set_autoload(Pointer prog, boolean autoload);

    int bpf_program__set_log_level(Pointer prog, int level);

    int bpf_program__set_log_buf(Pointer prog, Pointer buf, @size_t long size);

    /** Attaches by section name (tp_btf/..., raw_tp/..., lsm/...); NULL + errno on failure. */
    Pointer bpf_program__attach(Pointer prog);

    int bpf_link__destroy(Pointer link);

    // ---- bpf_map ----

    int bpf_map__fd(Pointer map);

    int bpf_map__max_entries(Pointer map);

    int bpf_map__value_size(Pointer map);

    /** Before load: the map's initial data (the mmap-able .rodata/.data image); NULL otherwise. */
    Pointer bpf_map__initial_value(Pointer map, @Out Pointer psize);

    // ---- low-level map access by fd (bpf.h) ----

    int bpf_map_lookup_elem(int fd, @In Pointer key, @Out Pointer value);

    int bpf_map_update_elem(int fd, @In Pointer key, @In Pointer value, long flags);

    int bpf_map_delete_elem(int fd, @In Pointer key);

    /** The kernel fd of a loaded program. */
    int bpf_program__fd(Pointer prog);

    /**
     * Runs a loaded program once in the kernel (BPF_PROG_TEST_RUN); {@code opts} is a
     * {@code struct bpf_test_run_opts} (see {@link BpfObject#testRun}).
     */
    int bpf_prog_test_run_opts(int progFd, Pointer opts);

    // ---- BTF ----

    Pointer btf__load_vmlinux_btf();

    void btf__free(Pointer btf);

    int btf__find_by_name_kind(Pointer btf, String name, int kind);

    /** Pointer to {@code struct btf_type}: name_off u32, info u32, size/type u32, kind data follows. */
    Pointer btf__type_by_id(Pointer btf, int id);

    String btf__name_by_offset(Pointer btf, int offset);

    // ---- ring buffer (libbpf's own consumer; the collector's reader mmaps the map itself) ----

    /** {@code int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size)}. */
    interface RingBufferSampleFn {
        @jnr.ffi.annotations.Delegate
        int call(Pointer ctx, Pointer data, @size_t long size);
    }

    Pointer ring_buffer__new(int mapFd, RingBufferSampleFn sampleCb, Pointer ctx, Pointer opts);

    int ring_buffer__poll(Pointer rb, int timeoutMs);

    int ring_buffer__consume(Pointer rb);

    void ring_buffer__free(Pointer rb);
}
