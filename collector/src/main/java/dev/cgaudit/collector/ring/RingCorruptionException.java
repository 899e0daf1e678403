package dev.cgaudit.collector.ring;

/** An impossible record header; reported in {@link ConsumeResult#errors()}, never thrown out of the reader. */
public final class RingCorruptionException extends Exception {

    public RingCorruptionException(String message) {
        super(message, null, false, false);
    }
}
