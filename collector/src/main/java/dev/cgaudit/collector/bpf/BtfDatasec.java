package dev.cgaudit.collector.bpf;

import dev.cgaudit.collector.Errno;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jnr.ffi.Pointer;

/**
 * The variables of one data section (".rodata") as the object's BTF describes them: name, offset
 * in the section and size. This is how the loader finds where a {@code const volatile} global
 * lives without guessing from declaration order — the same information bpftool uses to generate
 * skeletons.
 */
final class BtfDatasec {

    /** One {@code struct btf_var_secinfo} resolved to its variable's name. */
    record Var(String name, int offset, int size) {
    }

    /** sizeof(struct btf_type): name_off, info, size. */
    private static final int BTF_TYPE_SIZE = 12;
    /** sizeof(struct btf_var_secinfo): type, offset, size. */
    private static final int VAR_SECINFO_SIZE = 12;

    private final Map<String, Var> vars;

    private BtfDatasec(Map<String, Var> vars) {
        this.vars = vars;
    }

    /**
     * Reads DATASEC {@code section} of {@code btf}.
     *
     * @throws BpfException ESRCH when the section is absent (no such globals in the object)
     */
    static BtfDatasec read(LibBpf lib, Pointer btf, String section) throws BpfException {
        if (btf == null) {
            throw new BpfException("read BTF datasec " + section, Errno.ENOENT, "the object has no BTF (compile with clang -g)");
        }
        int id = lib.btf__find_by_name_kind(btf, section, LibBpf.BTF_KIND_DATASEC);
        if (id < 0) {
            throw new BpfException("read BTF datasec " + section, -id, "no DATASEC " + section + " in the object's BTF");
        }
        Pointer t = lib.btf__type_by_id(btf, id);
        int vlen = t.getInt(4) & 0xFFFF;
        Map<String, Var> vars = new LinkedHashMap<>();
        for (int i = 0; i < vlen; i++) {
            long at = BTF_TYPE_SIZE + (long) i * VAR_SECINFO_SIZE;
            int varType = t.getInt(at);
            int offset = t.getInt(at + 4);
            int size = t.getInt(at + 8);
            Pointer var = lib.btf__type_by_id(btf, varType);
            String name = lib.btf__name_by_offset(btf, var.getInt(0));
            vars.put(name, new Var(name, offset, size));
        }
        return new BtfDatasec(vars);
    }

    Optional<Var> find(String name) {
        return Optional.ofNullable(vars.get(name));
    }

    Map<String, Var> vars() {
        return Map.copyOf(vars);
    }
}
