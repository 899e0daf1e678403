package dev.cgaudit.collector.bpf;

import dev.cgaudit.collector.Errno;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * One BPF ELF object through its life: {@link #openMem open} → configure ({@link #setRodata},
 * {@link #setAutoload}) → {@link #load} → {@link #attach}. Each step checks that the previous one
 * happened, so a mistake is an {@link IllegalStateException} naming the phase, not a crash inside
 * libbpf. Closing detaches every link this object created and frees the object (its maps and
 * programs go with it). Use it in try-with-resources.
 *
 * <p>Not thread-safe: one thread drives the phases; fds from {@link #map} may be used anywhere
 * while the object is open.
 */
public final class BpfObject implements AutoCloseable {

    /** Per-program verifier log buffer. The kernel truncates (keeps the tail) when it is full. */
    private static final int LOG_BUF_SIZE = 1 << 20;

    private enum Phase { OPENED, LOADED, CLOSED }

    private final LibBpf lib;
    private final Runtime runtime;
    private final String name;
    private Pointer obj;
    /** The ELF bytes: libbpf reads them until load, so they must outlive it. */
    private Pointer elf;
    private final Map<String, Pointer> logBufs = new LinkedHashMap<>();
    private final List<BpfLink> links = new ArrayList<>();
    private Phase phase = Phase.OPENED;

    private BpfObject(LibBpf lib, String name, Pointer obj, Pointer elf) {
        this.lib = lib;
        this.runtime = Runtime.getRuntime(lib);
        this.name = name;
        this.obj = obj;
        this.elf = elf;
    }

    /** Opens an object from its ELF bytes (e.g. a classpath resource). Nothing is loaded yet. */
    public static BpfObject openMem(LibBpf lib, String name, byte[] elfBytes) throws BpfException {
        Runtime rt = Runtime.getRuntime(lib);
        Pointer buf = Memory.allocateDirect(rt, elfBytes.length);
        buf.put(0, elfBytes, 0, elfBytes.length);
        byte[] n = (name + "\0").getBytes(StandardCharsets.UTF_8);
        Pointer objectName = Memory.allocateDirect(rt, n.length);
        objectName.put(0, n, 0, n.length);
        Pointer obj = lib.bpf_object__open_mem(buf, elfBytes.length, openOpts(rt, objectName));
        // libbpf copied the name; keep the native string alive until the call returned.
        java.lang.ref.Reference.reachabilityFence(objectName);
        if (obj == null) {
            int err = rt.getLastError();
            throw new BpfException("open BPF object " + name, err, strerror(lib, err));
        }
        return new BpfObject(lib, name, obj, buf);
    }

    /**
     * {@code struct bpf_object_open_opts} with only {@code sz} and {@code object_name} set, so
     * libbpf's messages name the object instead of "ADDRESS-SIZE". libbpf accepts an opts struct
     * shorter than its own (sz tells it how much is there).
     */
    private static Pointer openOpts(Runtime rt, Pointer objectName) {
        Pointer opts = Memory.allocateDirect(rt, 16);
        opts.putLong(0, 16);
        opts.putPointer(8, objectName);
        return opts;
    }

    public static BpfObject openFile(LibBpf lib, Path path) throws BpfException {
        Runtime rt = Runtime.getRuntime(lib);
        Pointer obj = lib.bpf_object__open_file(path.toString(), null);
        if (obj == null) {
            int err = rt.getLastError();
            throw new BpfException("open BPF object " + path, err, strerror(lib, err));
        }
        return new BpfObject(lib, path.getFileName().toString(), obj, null);
    }

    public String name() {
        return name;
    }

    /** Names of the programs in the object, in ELF order. */
    public List<String> programNames() {
        requireOpen();
        List<String> names = new ArrayList<>();
        for (Pointer p = lib.bpf_object__next_program(obj, null); p != null; p = lib.bpf_object__next_program(obj, p)) {
            names.add(lib.bpf_program__name(p));
        }
        return names;
    }

    /** Programs that will be (or were) loaded. */
    public List<String> autoloadPrograms() {
        requireOpen();
        List<String> names = new ArrayList<>();
        for (Pointer p = lib.bpf_object__next_program(obj, null); p != null; p = lib.bpf_object__next_program(obj, p)) {
            if (lib.bpf_program__autoload(p)) {
                names.add(lib.bpf_program__name(p));
            }
        }
        return names;
    }

    // ---- configure ----

    /** Includes or excludes a program from {@link #load} (e.g. a hook this kernel lacks). */
    public void setAutoload(String program, boolean autoload) throws BpfException {
        requirePhase(Phase.OPENED, "setAutoload");
        int rc = lib.bpf_program__set_autoload(program(program), autoload);
        check(rc, "set autoload of " + program);
    }

    /**
     * Sets a {@code const volatile} global before load. The variable's offset and size come from
     * the object's BTF (DATASEC ".rodata"); {@code value} must have exactly that size, in native
     * byte order.
     *
     * @throws BpfException ESRCH for an unknown variable, EINVAL for a size mismatch
     */
    public void setRodata(String variable, byte[] value) throws BpfException {
        requirePhase(Phase.OPENED, "setRodata");
        String op = "set .rodata variable " + variable;
        BtfDatasec.Var var = BtfDatasec.read(lib, lib.bpf_object__btf(obj), ".rodata").find(variable)
                .orElseThrow(() -> new BpfException(op, Errno.ESRCH, "no such variable in .rodata of " + name));
        if (var.size() != value.length) {
            throw new BpfException(op, Errno.EINVAL, "variable has " + var.size() + " bytes, value has " + value.length);
        }
        Pointer map = lib.bpf_object__find_map_by_name(obj, ".rodata");
        if (map == null) {
            throw new BpfException(op, Errno.ENOENT, "object " + name + " has no .rodata map");
        }
        Pointer sizeOut = Memory.allocateDirect(runtime, 8);
        Pointer data = lib.bpf_map__initial_value(map, sizeOut);
        long size = sizeOut.getLong(0);
        if (data == null || var.offset() + value.length > size) {
            throw new BpfException(op, Errno.EINVAL, ".rodata image of " + size + " bytes cannot hold "
                    + variable + " at offset " + var.offset());
        }
        data.put(var.offset(), value, 0, value.length);
    }

    public void setRodataInt(String variable, int value) throws BpfException {
        byte[] b = new byte[4];
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder()).putInt(value);
        setRodata(variable, b);
    }

    public void setRodataLong(String variable, long value) throws BpfException {
        byte[] b = new byte[8];
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder()).putLong(value);
        setRodata(variable, b);
    }

    // ---- load ----

    /**
     * Creates the maps and loads the programs into the kernel (CO-RE relocation against the
     * running kernel's BTF happens here).
     *
     * @throws BpfVerifierException when a program was rejected; carries its verifier log
     * @throws BpfException for other failures (EPERM: not permitted, e.g. lsm programs here)
     */
    public void load() throws BpfException {
        requirePhase(Phase.OPENED, "load");
        for (String prog : autoloadPrograms()) {
            Pointer buf = Memory.allocateDirect(runtime, LOG_BUF_SIZE);
            buf.putByte(0, (byte) 0);
            Pointer p = program(prog);
            check(lib.bpf_program__set_log_buf(p, buf, LOG_BUF_SIZE), "set log buffer of " + prog);
            logBufs.put(prog, buf);
        }
        int rc = lib.bpf_object__load(obj);
        if (rc < 0) {
            String op = "load BPF object " + name;
            for (Map.Entry<String, Pointer> e : logBufs.entrySet()) {
                String log = e.getValue().getString(0, LOG_BUF_SIZE, StandardCharsets.UTF_8);
                if (!log.isEmpty()) {
                    throw new BpfVerifierException(op, -rc, e.getKey(), log);
                }
            }
            throw new BpfException(op, -rc, strerror(lib, -rc));
        }
        phase = Phase.LOADED;
        logBufs.clear();
        elf = null;
    }

    // ---- attach ----

    /** Attaches one program by its section (tp_btf/..., raw_tp/..., lsm/...). */
    public BpfLink attach(String program) throws BpfException {
        requirePhase(Phase.LOADED, "attach");
        Pointer link = lib.bpf_program__attach(program(program));
        if (link == null) {
            int err = runtime.getLastError();
            throw new BpfException("attach program " + program, err, strerror(lib, err));
        }
        BpfLink l = new BpfLink(lib, program, link);
        links.add(l);
        return l;
    }

    /** Attaches every loaded program; on a failure detaches those already attached by this call. */
    public List<BpfLink> attachAll() throws BpfException {
        List<BpfLink> attached = new ArrayList<>();
        try {
            for (String prog : autoloadPrograms()) {
                attached.add(attach(prog));
            }
        } catch (BpfException e) {
            attached.forEach(BpfLink::close);
            throw e;
        }
        return attached;
    }

    /** Detaches every program attached so far; the object stays loaded and can be attached again. */
    public void detachAll() {
        links.forEach(BpfLink::close);
        links.clear();
    }

    // ---- test run ----

    /** sizeof(struct bpf_test_run_opts) in libbpf 1.1; the fields used here are all in its first 80 bytes. */
    private static final int TEST_RUN_OPTS_SIZE = 80;

    /**
     * Runs a loaded {@code SEC("syscall")} program once in the calling thread's task context
     * (BPF_PROG_TEST_RUN) with {@code ctx} as its context, which the program may change: the kernel
     * copies it back into the same buffer (it refuses a separate ctx_out for this program type),
     * and so into {@code ctx}. Returns the program's return value.
     */
    public int testRun(String program, byte[] ctx) throws BpfException {
        requirePhase(Phase.LOADED, "testRun");
        int fd = lib.bpf_program__fd(program(program));
        Pointer ctxBuf = Memory.allocateDirect(runtime, Math.max(1, ctx.length));
        ctxBuf.put(0, ctx, 0, ctx.length);
        Pointer opts = Memory.allocateDirect(runtime, TEST_RUN_OPTS_SIZE);
        opts.setMemory(0, TEST_RUN_OPTS_SIZE, (byte) 0);
        opts.putLong(0, TEST_RUN_OPTS_SIZE);       // sz
        opts.putPointer(32, ctxBuf);               // ctx_in, written back by the kernel
        opts.putInt(48, ctx.length);               // ctx_size_in
        check(lib.bpf_prog_test_run_opts(fd, opts), "test run of " + program);
        ctxBuf.get(0, ctx, 0, ctx.length);
        return opts.getInt(56);                    // retval
    }

    // ---- maps ----

    /** A map of the loaded object, by name. */
    public BpfMap map(String mapName) throws BpfException {
        requirePhase(Phase.LOADED, "map");
        Pointer m = lib.bpf_object__find_map_by_name(obj, mapName);
        if (m == null) {
            throw new BpfException("find map " + mapName, Errno.ENOENT, "no map " + mapName + " in " + name);
        }
        return new BpfMap(mapName, lib.bpf_map__fd(m), lib.bpf_map__max_entries(m), lib.bpf_map__value_size(m));
    }

    public LibBpf lib() {
        return lib;
    }

    @Override
    public void close() {
        if (phase == Phase.CLOSED) {
            return;
        }
        detachAll();
        lib.bpf_object__close(obj);
        obj = null;
        elf = null;
        logBufs.clear();
        phase = Phase.CLOSED;
    }

    // ---- internals ----

    private Pointer program(String program) throws BpfException {
        requireOpen();
        Pointer p = lib.bpf_object__find_program_by_name(obj, program);
        if (p == null) {
            throw new BpfException("find program " + program, Errno.ENOENT, "no program " + program + " in " + name
                    + " (has " + programNames() + ")");
        }
        return p;
    }

    private void check(int rc, String what) throws BpfException {
        if (rc < 0) {
            throw new BpfException(what, -rc, strerror(lib, -rc));
        }
    }

    private void requireOpen() {
        if (phase == Phase.CLOSED) {
            throw new IllegalStateException("BPF object " + name + " is closed");
        }
    }

    private void requirePhase(Phase expected, String step) {
        if (phase != expected) {
            throw new IllegalStateException(step + " needs BPF object " + name + " to be " + expected
                    + ", it is " + phase);
        }
    }

    static String strerror(LibBpf lib, int err) {
        byte[] buf = new byte[256];
        lib.libbpf_strerror(Math.abs(err), buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }
}
