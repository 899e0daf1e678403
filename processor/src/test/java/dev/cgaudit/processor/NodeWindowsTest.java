package dev.cgaudit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.schema.Outcome;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The open-addressing table behind a node's windows, against a plain map doing the same: puts,
 * removals (which shift later entries of a probe run back), sweeps, rule deletions, growth and
 * shrinking, with few rules and tgids so probe runs are long and keys collide in their home slots.
 */
class NodeWindowsTest {

    static final String[] RULES = {"probing", "bouncing", "churn-0", "burst-7"};

    record Window(CountedDecision[] counted, long expiresAt) {
    }

    @Test
    void behaves_as_a_map_of_subject_to_window_under_random_changes() throws Exception {
        Random random = new Random(20261129);
        for (int run = 0; run < 40; run++) {
            NodeWindows windows = new NodeWindows();
            Map<String, Window> model = new HashMap<>();
            NodeWindows snapshot = null;
            Map<String, Window> snapshotModel = null;
            int tgids = 1 + random.nextInt(run < 20 ? 12 : 400);
            for (int op = 0; op < 3_000; op++) {
                String rule = RULES[random.nextInt(RULES.length)];
                int tgid = random.nextInt(tgids) - tgids / 4;   // negative tgids too: the key takes them unsigned
                int dice = random.nextInt(100);
                if (dice < 15) {
                    // A read alone: what it remembers of its probe must not leak into a later put of another subject.
                    Window expected = model.get(rule + "|" + tgid);
                    assertThat(windows.counted(windows.subject(rule, tgid)))
                            .isEqualTo(expected == null ? new CountedDecision[0] : expected.counted());
                } else if (dice < 60) {
                    Window w = new Window(new CountedDecision[] {new CountedDecision("boot", op, null, op, Outcome.DENIED)},
                            random.nextInt(1_000));
                    long subject = windows.subject(rule, tgid);
                    if (random.nextBoolean()) {
                        windows.counted(subject);   // as a count does: read, then put back
                    }
                    windows.put(subject, w.counted(), w.expiresAt());
                    model.put(rule + "|" + tgid, w);
                } else if (dice < 85) {
                    windows.remove(windows.subject(rule, tgid));
                    model.remove(rule + "|" + tgid);
                } else if (dice < 92) {
                    long watermark = random.nextInt(1_000);
                    windows.removeExpired(watermark);
                    model.values().removeIf(w -> w.expiresAt() <= watermark);
                } else if (dice < 95) {
                    windows.removeRule(rule);
                    model.keySet().removeIf(k -> k.startsWith(rule + "|"));
                } else {
                    // A copy taken now (a snapshot's) must not see anything done after it.
                    snapshot = windows.copy();
                    snapshotModel = new HashMap<>(model);
                }
                assertThat(windows.size()).isEqualTo(model.size());
                assertThat(windows.isEmpty()).isEqualTo(model.isEmpty());
            }
            assertSame(windows, model, tgids);
            if (snapshot != null) {
                assertSame(snapshot, snapshotModel, tgids);
            }
        }
    }

    /** Every subject of the key space has the model's window (the very array), and nothing else is held. */
    static void assertSame(NodeWindows windows, Map<String, Window> model, int tgids) throws Exception {
        Map<String, Window> held = new HashMap<>();
        windows.forEach((rule, tgid, expiresAt, counted) ->
                assertThat(held.put(rule + "|" + tgid, new Window(counted, expiresAt))).as("one window per subject").isNull());
        assertThat(held.keySet()).isEqualTo(model.keySet());
        held.forEach((subject, w) -> {
            assertThat(w.counted()).isSameAs(model.get(subject).counted());
            assertThat(w.expiresAt()).isEqualTo(model.get(subject).expiresAt());
        });
        for (String rule : RULES) {
            for (int tgid = -tgids / 4; tgid < tgids - tgids / 4; tgid++) {
                Window expected = model.get(rule + "|" + tgid);
                CountedDecision[] counted = windows.counted(windows.subject(rule, tgid));
                if (expected == null) {
                    assertThat(counted).isEmpty();
                } else {
                    assertThat(counted).isSameAs(expected.counted());
                }
            }
        }
    }
}
