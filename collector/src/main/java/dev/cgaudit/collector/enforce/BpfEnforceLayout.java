package dev.cgaudit.collector.enforce;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Java mirror of {@code src/main/bpf/enforce.h}: offsets and sizes of the map keys and values
 * the BPF LSM backends share with the kernel, and their encoding (native byte order, explicit
 * padding, NUL-padded strings). {@code EnforceLayoutBtfTest} checks every offset against the BTF of
 * the compiled objects.
 */
final class BpfEnforceLayout {

    static final int MAX_ENTRIES = 8;
    static final int SLOTS = 2;
    static final int MAX_DEPTH = 16;
    static final int RULE_ID_LEN = 64;
    static final int COMM_LEN = 16;

    // enum cga_enf_field
    static final int F_UID = 1;
    static final int F_GID = 1 << 1;
    static final int F_COMM = 1 << 2;
    static final int F_EXE = 1 << 3;
    static final int F_WRITER_CGROUP = 1 << 4;

    // enum cga_enf_scope
    static final int INTO = 1;
    static final int OUT_OF = 1 << 1;
    static final int CONTAIN = 1 << 2;

    // struct cga_enf_key
    static final int KEY_SUBTREE_ID = 0;
    static final int KEY_SLOT = 8;
    static final int KEY_SIZE = 16;

    // struct cga_enf_entry
    static final int ENTRY_FIELDS = 0;
    static final int ENTRY_UID = 4;
    static final int ENTRY_GID = 8;
    static final int ENTRY_EXE_DEV = 16;
    static final int ENTRY_EXE_INO = 24;
    static final int ENTRY_WRITER_CGROUP_ID = 32;
    static final int ENTRY_COMM = 40;
    static final int ENTRY_SIZE = 56;

    // struct cga_enf_rule
    static final int RULE_VERSION = 0;
    static final int RULE_SCOPE = 8;
    static final int RULE_N_ENTRIES = 12;
    static final int RULE_ID = 16;
    static final int RULE_ENTRIES = 80;
    static final int RULE_SIZE = RULE_ENTRIES + MAX_ENTRIES * ENTRY_SIZE;

    // struct cga_enf_denial
    static final int DENIAL_SUBTREE_ID = 0;
    static final int DENIAL_RULE_VERSION = 8;
    static final int DENIAL_KTIME_NS = 16;
    static final int DENIAL_SLOT = 24;
    static final int DENIAL_ERR = 28;
    static final int DENIAL_SIZE = 32;

    private BpfEnforceLayout() {
    }

    /** One allow entry as the kernel compares it; {@code fields} says which of the others are set. */
    record Entry(int fields, long uid, long gid, long exeDev, long exeIno, long writerCgroupId, String comm) {
    }

    /** The latest denial of one writer thread. */
    record Denial(long subtreeId, long ruleVersion, long ktimeNs, int slot, int err) {
    }

    static byte[] key(long subtreeId, int slot) {
        ByteBuffer b = buffer(KEY_SIZE);
        b.putLong(KEY_SUBTREE_ID, subtreeId).putInt(KEY_SLOT, slot);
        return b.array();
    }

    static byte[] rule(long version, int scope, String ruleId, List<Entry> entries) {
        if (entries.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException(entries.size() + " allow entries, the map value holds " + MAX_ENTRIES);
        }
        ByteBuffer b = buffer(RULE_SIZE);
        b.putLong(RULE_VERSION, version).putInt(RULE_SCOPE, scope).putInt(RULE_N_ENTRIES, entries.size());
        putString(b, RULE_ID, ruleId, RULE_ID_LEN);
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            int at = RULE_ENTRIES + i * ENTRY_SIZE;
            b.putInt(at + ENTRY_FIELDS, e.fields())
                    .putInt(at + ENTRY_UID, (int) e.uid())
                    .putInt(at + ENTRY_GID, (int) e.gid())
                    .putLong(at + ENTRY_EXE_DEV, e.exeDev())
                    .putLong(at + ENTRY_EXE_INO, e.exeIno())
                    .putLong(at + ENTRY_WRITER_CGROUP_ID, e.writerCgroupId());
            putString(b, at + ENTRY_COMM, e.comm() == null ? "" : e.comm(), COMM_LEN);
        }
        return b.array();
    }

    static Denial denial(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        return new Denial(b.getLong(DENIAL_SUBTREE_ID), b.getLong(DENIAL_RULE_VERSION), b.getLong(DENIAL_KTIME_NS),
                b.getInt(DENIAL_SLOT), b.getInt(DENIAL_ERR));
    }

    /**
     * The kernel's {@code dev_t} ({@code MAJOR << 20 | MINOR}, what {@code sb->s_dev} holds) of a
     * device number as stat(2) reports it (glibc's encoding, Java's {@code unix:dev}).
     */
    static long kernelDev(long userDev) {
        long major = ((userDev >>> 8) & 0xfffL) | ((userDev >>> 32) & ~0xfffL);
        long minor = (userDev & 0xffL) | ((userDev >>> 12) & ~0xffL);
        return (major << 20) | (minor & 0xfffffL);
    }

    /** NUL-padded, cut so that a NUL always ends it (the kernel's comm keeps 15 characters). */
    private static void putString(ByteBuffer b, int at, String s, int len) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.put(at, bytes, 0, Math.min(bytes.length, len - 1));
    }

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }
}
