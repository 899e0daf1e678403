package dev.cgaudit.demo;

import dev.cgaudit.schema.ViolationKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The end of the demo: findings per violation kind, and why a kind did not appear. */
final class DemoSummary {

    private DemoSummary() {
    }

    static List<String> lines(Map<ViolationKind, Long> byKind, boolean kernel, long lost) {
        List<String> lines = new ArrayList<>();
        for (ViolationKind kind : ViolationKind.values()) {
            long n = byKind.getOrDefault(kind, 0L);
            lines.add(String.format(Locale.ROOT, "  %-23s %4d   %s", kind, n, n > 0 ? "" : whyNot(kind, kernel, lost)).stripTrailing());
        }
        return lines;
    }

    /**
     * What a complete run of the script under the demo policy raises, per kind: the demo waits for
     * these (within --duration) so the last step's findings are shown too. Unauthorized: two moves
     * in audit, one denied while enforced, one after; escapes: one in audit, one while enforced;
     * downgrades: both switched rules.
     */
    static Map<ViolationKind, Long> expected(boolean kernel) {
        Map<ViolationKind, Long> kinds = new EnumMap<>(Map.of(ViolationKind.UNAUTHORIZED_MIGRATION, 4L,
                ViolationKind.SUBTREE_ESCAPE, 2L, ViolationKind.DENIAL_BURST, 1L, ViolationKind.CHURN, 1L,
                ViolationKind.ENFORCEMENT_BYPASS, 1L, ViolationKind.MODE_DOWNGRADE, 2L));
        if (kernel) {
            kinds.put(ViolationKind.ENFORCEMENT_DEGRADED, 1L);
        }
        return kinds;
    }

    static String whyNot(ViolationKind kind, boolean kernel, long lost) {
        if (kind == ViolationKind.COLLECTOR_LOSS) {
            return lost == 0 ? "(none: nothing was lost; raised only when the collector misses decisions)"
                    : "(not yet judged: " + lost + " records were lost)";
        }
        if (kind == ViolationKind.ENFORCEMENT_DEGRADED && !kernel) {
            return "(none: raised from a live enforcer's status; a played trace has no enforcer)";
        }
        return "(did not arrive before the demo ended: try a longer --duration)";
    }
}
