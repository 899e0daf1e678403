package dev.cgaudit.processor.functions;

import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.policy.RuleBook;
import java.util.List;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;

/**
 * A function's {@link RuleBook} of the broadcast policy history: compiled when first needed and again
 * only after a rule change, not for every event.
 */
final class CachedRuleBook {

    private RuleBook book;

    /** Applies a broadcast change (see {@link PolicyGate#apply}); a rule change makes the book stale. */
    void apply(RuleChange change, BroadcastState<String, Boolean> loaded,
               BroadcastState<String, List<RuleChange>> rules) throws Exception {
        if (!PolicyGate.apply(change, loaded, rules)) {
            book = null;
        }
    }

    RuleBook get(ReadOnlyBroadcastState<String, List<RuleChange>> rules) throws Exception {
        if (book == null) {
            book = RuleBook.of(rules.immutableEntries());
        }
        return book;
    }
}
