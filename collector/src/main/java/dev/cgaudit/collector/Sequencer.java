package dev.cgaudit.collector;

/**
 * Hands out this node's gap-free sequence numbers for the current boot. Single-threaded (the
 * reader thread). After a restart it continues from the last decision kept in the spool, so a
 * restart is not a gap; a gap downstream therefore always means decisions were lost.
 */
public final class Sequencer {

    private long next;

    public Sequencer(long next) {
        if (next < 0) {
            throw new IllegalArgumentException("sequence starts at 0 or later, got " + next);
        }
        this.next = next;
    }

    public long next() {
        return next++;
    }

    /** The highest number handed out, or -1 when none yet. */
    public long highWater() {
        return next - 1;
    }
}
