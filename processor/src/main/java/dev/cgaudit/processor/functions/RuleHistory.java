package dev.cgaudit.processor.functions;

import dev.cgaudit.processor.RuleChange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The broadcast value of one rule: its accepted versions, by version, each once. */
final class RuleHistory {

    private RuleHistory() {
    }

    static List<RuleChange> with(List<RuleChange> known, RuleChange change) {
        List<RuleChange> next = known == null ? new ArrayList<>() : new ArrayList<>(known);
        // A re-delivered change (source rewind after a restore) must not count twice.
        next.removeIf(c -> c.version() == change.version());
        next.add(change);
        next.sort(Comparator.comparingLong(RuleChange::version));
        return next;
    }
}
