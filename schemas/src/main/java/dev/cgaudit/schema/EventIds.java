package dev.cgaudit.schema;

/**
 * A decision's {@code eventId} as the collector makes it: {@code node/bootId/seq} (DESIGN.md
 * "Events"). Readers that keep many decisions may store the three parts they hold anyway instead
 * of the id, when {@link #isOf} says the id is exactly them; an id made otherwise (an older or
 * foreign collector) must be kept as it is.
 */
public final class EventIds {

    private EventIds() {
    }

    public static String of(String node, String bootId, long seq) {
        return node + "/" + bootId + "/" + seq;
    }

    /** Whether {@code eventId} equals {@link #of}{@code (node, bootId, seq)}, without building it. */
    public static boolean isOf(String eventId, String node, String bootId, long seq) {
        if (seq < 0) {
            return eventId.equals(of(node, bootId, seq));
        }
        int bootAt = node.length() + 1;
        int seqAt = bootAt + bootId.length() + 1;
        int end = eventId.length();
        if (end != seqAt + digits(seq) || !eventId.startsWith(node) || eventId.charAt(bootAt - 1) != '/'
                || !eventId.startsWith(bootId, bootAt) || eventId.charAt(seqAt - 1) != '/') {
            return false;
        }
        long rest = seq;
        for (int i = end - 1; i >= seqAt; i--, rest /= 10) {
            if (eventId.charAt(i) != (char) ('0' + rest % 10)) {
                return false;
            }
        }
        return true;
    }

    private static int digits(long n) {
        int d = 1;
        while (n >= 10) {
            n /= 10;
            d++;
        }
        return d;
    }
}
