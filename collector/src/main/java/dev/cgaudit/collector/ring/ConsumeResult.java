package dev.cgaudit.collector.ring;

import java.util.List;

/**
 * What one pass of the reader did (or, from {@link RingBufferReader#totals()}, everything since it
 * was created). Every record the producer committed ends up in exactly one count, or in
 * {@code lostBytes} when the ring was corrupt around it.
 *
 * @param consumed     records the handler accepted
 * @param discarded    records the producer discarded; their space is consumed, the handler never sees them
 * @param decodeErrors records whose handler threw {@code RecordDecodeException}
 * @param handlerErrors records whose handler threw anything else
 * @param corruptions  times the reader found an impossible header and skipped to the producer position
 * @param lostBytes    ring bytes skipped by those resynchronisations (records in them are lost)
 * @param errors       the first few exceptions of this pass, for logs; never the full list
 */
public record ConsumeResult(
        long consumed,
        long discarded,
        long decodeErrors,
        long handlerErrors,
        long corruptions,
        long lostBytes,
        List<Exception> errors) {

    public static final ConsumeResult EMPTY = new ConsumeResult(0, 0, 0, 0, 0, 0, List.of());

    public ConsumeResult {
        errors = List.copyOf(errors);
    }

    /** Records whose space the reader released: accepted, discarded or failed. */
    public long records() {
        return consumed + discarded + decodeErrors + handlerErrors;
    }

    public boolean isEmpty() {
        return records() == 0 && corruptions == 0;
    }

    ConsumeResult plus(ConsumeResult o) {
        return new ConsumeResult(consumed + o.consumed, discarded + o.discarded,
                decodeErrors + o.decodeErrors, handlerErrors + o.handlerErrors,
                corruptions + o.corruptions, lostBytes + o.lostBytes, List.of());
    }
}
