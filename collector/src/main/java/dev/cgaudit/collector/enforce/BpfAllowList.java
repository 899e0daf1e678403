package dev.cgaudit.collector.enforce;

import dev.cgaudit.collector.Errno;
import dev.cgaudit.collector.bpf.BpfException;
import dev.cgaudit.collector.bpf.BpfMap;
import dev.cgaudit.collector.bpf.BpfObject;
import dev.cgaudit.collector.bpf.LibBpf;
import java.util.Optional;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The allow-list maps of a loaded enforcer object ({@code cga_enf_rules}, {@code cga_enf_denials}),
 * updated live: a rule is put or deleted by (subtree cgroup id, slot) while the programs run.
 */
final class BpfAllowList {

    static final String RULES_MAP = "cga_enf_rules";
    static final String DENIALS_MAP = "cga_enf_denials";

    private final LibBpf lib;
    private final Runtime runtime;
    private final BpfMap rules;
    private final BpfMap denials;

    BpfAllowList(BpfObject loaded) throws BpfException {
        this.lib = loaded.lib();
        this.runtime = Runtime.getRuntime(lib);
        this.rules = loaded.map(RULES_MAP);
        this.denials = loaded.map(DENIALS_MAP);
        if (rules.valueSize() != BpfEnforceLayout.RULE_SIZE) {
            throw new BpfException("open " + RULES_MAP, Errno.EINVAL, "value size " + rules.valueSize()
                    + " in the object, " + BpfEnforceLayout.RULE_SIZE + " in BpfEnforceLayout: enforce.h and Java disagree");
        }
    }

    void put(long subtreeId, int slot, byte[] rule) throws BpfException {
        int rc = lib.bpf_map_update_elem(rules.fd(), direct(BpfEnforceLayout.key(subtreeId, slot)), direct(rule), 0);
        if (rc < 0) {
            throw new BpfException("update " + RULES_MAP + " (" + subtreeId + ", " + slot + ")", -rc, Errno.name(-rc));
        }
    }

    void delete(long subtreeId, int slot) throws BpfException {
        int rc = lib.bpf_map_delete_elem(rules.fd(), direct(BpfEnforceLayout.key(subtreeId, slot)));
        if (rc < 0 && -rc != Errno.ENOENT) {
            throw new BpfException("delete from " + RULES_MAP + " (" + subtreeId + ", " + slot + ")", -rc, Errno.name(-rc));
        }
    }

    /** The latest denial of the writer thread {@code pidTgid} (tgid in the high half), if the map has one. */
    Optional<BpfEnforceLayout.Denial> denial(long pidTgid) {
        Pointer key = Memory.allocateDirect(runtime, 8);
        key.putLong(0, pidTgid);
        Pointer value = Memory.allocateDirect(runtime, BpfEnforceLayout.DENIAL_SIZE);
        if (lib.bpf_map_lookup_elem(denials.fd(), key, value) != 0) {
            return Optional.empty();
        }
        byte[] bytes = new byte[BpfEnforceLayout.DENIAL_SIZE];
        value.get(0, bytes, 0, bytes.length);
        return Optional.of(BpfEnforceLayout.denial(bytes));
    }

    private Pointer direct(byte[] bytes) {
        Pointer p = Memory.allocateDirect(runtime, bytes.length);
        p.put(0, bytes, 0, bytes.length);
        return p;
    }
}
