package dev.cgaudit.processor.functions;

import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.RuleChange;
import java.util.List;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;

/**
 * Whether the broadcast policy is complete enough to judge by: in the live job, not before the
 * policy log has been read up to where it ended at submission (a decision judged before its rule
 * version arrived would be judged differently from a replay). Replay needs no gate: in BATCH the
 * broadcast side is read first.
 */
final class PolicyGate {

    private static final String LOADED = "loaded";
    /** How often held events look at the gate again (processing time: it changes when, never what). */
    static final long RECHECK_MILLIS = 200;

    private final boolean await;
    private boolean open;

    PolicyGate(boolean await) {
        this.await = await;
        this.open = !await;
    }

    boolean isOpen(ReadOnlyBroadcastState<String, Boolean> loaded) throws Exception {
        if (!open && loaded.contains(LOADED)) {
            open = true;
        }
        return open;
    }

    boolean awaits() {
        return await;
    }

    /** Applies a broadcast change: true when it was the marker (and so not a rule). */
    static boolean apply(RuleChange change, BroadcastState<String, Boolean> loaded,
                         BroadcastState<String, List<RuleChange>> rules) throws Exception {
        if (change.isPolicyLoadedMarker()) {
            loaded.put(LOADED, true);
            return true;
        }
        rules.put(change.ruleId(), RuleHistory.with(rules.get(change.ruleId()), change));
        return false;
    }

    static long recheckAt(long now) {
        return now - Math.floorMod(now, RECHECK_MILLIS) + RECHECK_MILLIS;
    }
}
