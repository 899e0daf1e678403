package dev.cgaudit.processor;

import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/** What a harness's operator still holds in keyed state (the broadcast harness has no numKeyedStateEntries). */
public final class HarnessState {

    private HarnessState() {
    }

    /** How many keys hold the keyed state {@code stateName} (in the default namespace). */
    public static long keysWith(AbstractStreamOperatorTestHarness<?> harness, String stateName) {
        AbstractStreamOperator<?> operator = (AbstractStreamOperator<?>) harness.getOperator();
        try (var keys = operator.getKeyedStateBackend().getKeys(stateName, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    public static int keyedEntries(AbstractStreamOperatorTestHarness<?> harness) {
        AbstractStreamOperator<?> operator = (AbstractStreamOperator<?>) harness.getOperator();
        return ((HeapKeyedStateBackend<?>) operator.getKeyedStateBackend()).numKeyValueStateEntries();
    }
}
