package dev.cgaudit.processor;

import dev.cgaudit.processor.types.NodeWindowsSerializer;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.IntPredicate;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One node's open denial-burst and churn windows, one per subject (rule + writer or target tgid):
 * the decisions counted so far, oldest first, and when the watermark passing the window means
 * nothing later can join it. The router's keyed state for the node, as one value.
 *
 * <p>Why one value and not a map state of subject → window: a busy node has thousands of open
 * windows, nearly all holding one decision. As a map state each window was a string key built and
 * hashed per decision, a map node, a record and a list; and the heap backend's copy-on-write
 * copied the node's whole map at its first access after every checkpoint. Here a window is a slot
 * in a few arrays, keyed by a number (the rule's slot in {@link #rules} and the tgid), and a copy
 * is four array clones.
 *
 * <p>Mutable, so the heap backend copies it ({@link #copy()}, through the serializer) before a
 * change can reach a snapshot in progress. What a copy shares — each window's
 * {@code CountedDecision[]} and the decisions in it — is never changed: a count replaces the array.
 */
@TypeInfo(NodeWindowsSerializer.TypeInfoFactory.class)
public final class NodeWindows {

    private static final long EMPTY = 0;
    private static final int MIN_CAPACITY = 8;
    private static final CountedDecision[] NONE = new CountedDecision[0];

    /** Rule ids by slot; null where a rule was deleted (the slot is free again). */
    private String[] rules;
    private int ruleSlots;
    /** Open addressing, linear probing; {@link #EMPTY} marks a free entry, as no subject key is 0. */
    private long[] keys;
    private long[] expiresAt;
    private CountedDecision[][] counted;
    private int size;
    /**
     * The sweep time last asked for: most counts of a node ask for the same one. Not written to
     * snapshots; after a restore the next count asks again, and the timer service keeps one timer
     * per time.
     */
    private long sweepAsked = Long.MIN_VALUE;
    /** The boot id the node's counted decisions share (one instance, not one per decision); not written either. */
    private String boot;
    /**
     * The subject {@link #counted} probed last ({@link #EMPTY} for none) and what the probe found, as
     * {@link #probe} returns it: a count reads a window, then puts it back, and this spares the
     * second probe. Every change to the table forgets it.
     */
    private long probedSubject = EMPTY;
    private int probed;

    public NodeWindows() {
        this(new String[4], 0, new long[MIN_CAPACITY], new long[MIN_CAPACITY], new CountedDecision[MIN_CAPACITY][], 0);
    }

    private NodeWindows(String[] rules, int ruleSlots, long[] keys, long[] expiresAt, CountedDecision[][] counted, int size) {
        this.rules = rules;
        this.ruleSlots = ruleSlots;
        this.keys = keys;
        this.expiresAt = expiresAt;
        this.counted = counted;
        this.size = size;
    }

    /** The key of subject {@code tgid} of {@code ruleId}, giving the rule a slot if it has none; never 0. */
    public long subject(String ruleId, int tgid) {
        int free = -1;
        for (int slot = 0; slot < ruleSlots; slot++) {
            String r = rules[slot];
            if (r == ruleId || (r != null && r.equals(ruleId))) {
                return key(slot, tgid);
            }
            if (r == null && free < 0) {
                free = slot;
            }
        }
        if (free < 0) {
            if (ruleSlots == rules.length) {
                rules = Arrays.copyOf(rules, rules.length * 2);
            }
            free = ruleSlots++;
        }
        rules[free] = ruleId;
        return key(free, tgid);
    }

    private static long key(int slot, int tgid) {
        return ((long) (slot + 1) << 32) | (tgid & 0xffffffffL);
    }

    private static int slotOf(long key) {
        return (int) (key >>> 32) - 1;
    }

    /**
     * {@code bootId} as an instance this node's windows already hold when equal, so that their
     * decisions share it: a node has one boot at a time, and each decoded decision brings its own copy.
     */
    public String boot(String bootId) {
        if (bootId.equals(boot)) {
            return boot;
        }
        boot = bootId;
        return bootId;
    }

    /** Whether a sweep at {@code time} is still to be asked for (a timer registered): false when it was the last one asked. */
    public boolean askSweep(long time) {
        if (time == sweepAsked) {
            return false;
        }
        sweepAsked = time;
        return true;
    }

    /** The decisions counted in the subject's window, oldest first; empty when it has none. Do not change it. */
    public CountedDecision[] counted(long subject) {
        int i = probe(subject);
        probedSubject = subject;
        probed = i;
        return i < 0 ? NONE : counted[i];
    }

    /** Sets the subject's window; {@code decisions} is kept as it is and must not be changed afterwards. */
    public void put(long subject, CountedDecision[] decisions, long expiry) {
        int i = subject == probedSubject ? probed : probe(subject);
        probedSubject = EMPTY;
        if (i < 0) {
            if ((size + 1) * 2 > keys.length) {
                rebuild(keys.length * 2, null);
                i = probe(subject);
            }
            i = -i - 1;
            keys[i] = subject;
            size++;
        }
        counted[i] = decisions;
        expiresAt[i] = expiry;
    }

    /** Removes the subject's window, if it has one. */
    public void remove(long subject) {
        int i = probe(subject);
        if (i >= 0) {
            removeAt(i);
        }
    }

    /** Removes the windows the watermark has expired (their expiry at or before it). */
    public void removeExpired(long watermark) {
        removeWhere(i -> expiresAt[i] <= watermark);
    }

    /** Removes every window of {@code ruleId} and frees its slot. */
    public void removeRule(String ruleId) {
        for (int slot = 0; slot < ruleSlots; slot++) {
            if (ruleId.equals(rules[slot])) {
                int removed = slot;
                removeWhere(i -> slotOf(keys[i]) == removed);
                rules[slot] = null;
            }
        }
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int size() {
        return size;
    }

    /** A copy whose arrays are its own; the windows' decision arrays are shared (they never change). */
    public NodeWindows copy() {
        NodeWindows copy = new NodeWindows(rules.clone(), ruleSlots, keys.clone(), expiresAt.clone(), counted.clone(), size);
        copy.sweepAsked = sweepAsked;
        copy.boot = boot;
        return copy;
    }

    /** Every window as (rule id, tgid, expiry, decisions), for the serializer. */
    public void forEach(WindowVisitor visitor) throws IOException {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                visitor.visit(rules[slotOf(keys[i])], (int) keys[i], expiresAt[i], counted[i]);
            }
        }
    }

    /** One window, as {@link #forEach} hands it over. */
    @FunctionalInterface
    public interface WindowVisitor {
        void visit(String ruleId, int tgid, long expiresAt, CountedDecision[] counted) throws IOException;
    }

    /** The subject's entry; when it has none, {@code -(e + 1)} for the free entry {@code e} where it would go. */
    private int probe(long subject) {
        int mask = keys.length - 1;
        for (int i = home(subject, mask); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == subject) {
                return i;
            }
            if (k == EMPTY) {
                return -i - 1;
            }
        }
    }

    private int slotFor(long subject) {
        int mask = keys.length - 1;
        int i = home(subject, mask);
        while (keys[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private static int home(long subject, int mask) {
        long h = subject * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /** Backward-shift deletion: later entries of the probe run move up, so lookups need no tombstones. */
    private void removeAt(int i) {
        probedSubject = EMPTY;
        int mask = keys.length - 1;
        int gap = i;
        for (int j = (gap + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
            int h = home(keys[j], mask);
            // Entry j may fill the gap unless its home lies cyclically after the gap (within (gap, j]).
            if (((j - h) & mask) >= ((j - gap) & mask)) {
                keys[gap] = keys[j];
                expiresAt[gap] = expiresAt[j];
                counted[gap] = counted[j];
                gap = j;
            }
        }
        keys[gap] = EMPTY;
        counted[gap] = null;
        size--;
    }

    /** Keeps the windows {@code drop} does not name, in arrays sized for them. */
    private void removeWhere(IntPredicate drop) {
        boolean[] dropped = new boolean[keys.length];
        int kept = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                dropped[i] = drop.test(i);
                kept += dropped[i] ? 0 : 1;
            }
        }
        if (kept < size) {
            rebuild(capacityFor(kept), dropped);
            size = kept;
        }
    }

    /** Re-inserts every window (but those {@code dropped} names, if given) into arrays of {@code capacity}. */
    private void rebuild(int capacity, boolean[] dropped) {
        probedSubject = EMPTY;
        long[] oldKeys = keys;
        long[] oldExpiry = expiresAt;
        CountedDecision[][] oldCounted = counted;
        keys = new long[capacity];
        expiresAt = new long[capacity];
        counted = new CountedDecision[capacity][];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY && (dropped == null || !dropped[i])) {
                int j = slotFor(oldKeys[i]);
                keys[j] = oldKeys[i];
                expiresAt[j] = oldExpiry[i];
                counted[j] = oldCounted[i];
            }
        }
    }

    /** The smallest power of two at least {@link #MIN_CAPACITY} that holds {@code n} at half load or less. */
    private static int capacityFor(int n) {
        int c = MIN_CAPACITY;
        while (c < n * 2) {
            c *= 2;
        }
        return c;
    }
}
