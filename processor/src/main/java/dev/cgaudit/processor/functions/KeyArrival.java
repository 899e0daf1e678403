package dev.cgaudit.processor.functions;

/**
 * How a keyed function's events reach it, which decides how its event-time buffer keeps them
 * until the watermark passes them. Either way a drain hands them out in the same total order.
 */
public enum KeyArrival {
    /**
     * Live (STREAMING): nearly in event-time order, interleaved with watermarks. The buffer keeps
     * them in order as they come (nearly every insert is an append) and drains the front.
     */
    NEARLY_ORDERED,
    /**
     * BATCH: all of a key's events, in no particular order, before any of its timers fires (BATCH
     * fires a key's timers when its input moves on to the next key). The buffer appends them and
     * sorts once at the drain: an ordered insert of each would move half the list per event.
     */
    WHOLE_KEY_FIRST
}
