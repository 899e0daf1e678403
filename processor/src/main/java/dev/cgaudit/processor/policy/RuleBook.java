package dev.cgaudit.processor.policy;

import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of the broadcast state, indexed by the subtrees they protect. A decision is looked up
 * by the ancestors of its destination and source paths, so it meets only the rules whose subtree
 * contains one of its ends (a superset of the rules that concern it: the matcher decides), not
 * all of them.
 */
public final class RuleBook {

    private final Map<String, RuleTimeline> byId;
    private final Map<String, List<RuleTimeline>> bySubtree;

    private RuleBook(Map<String, RuleTimeline> byId, Map<String, List<RuleTimeline>> bySubtree) {
        this.byId = byId;
        this.bySubtree = bySubtree;
    }

    public static RuleBook of(Iterable<Map.Entry<String, List<RuleChange>>> rules) {
        Map<String, RuleTimeline> byId = new HashMap<>();
        Map<String, List<RuleTimeline>> bySubtree = new HashMap<>();
        for (Map.Entry<String, List<RuleChange>> e : rules) {
            RuleTimeline timeline = RuleTimeline.compile(e.getKey(), e.getValue());
            byId.put(e.getKey(), timeline);
            for (String subtree : timeline.subtrees()) {
                bySubtree.computeIfAbsent(subtree, s -> new ArrayList<>()).add(timeline);
            }
        }
        // Rules in id order, so a decision meets its rules in the same order in every run.
        bySubtree.values().forEach(list -> list.sort(java.util.Comparator.comparing(RuleTimeline::ruleId)));
        return new RuleBook(byId, bySubtree);
    }

    public static RuleBook empty() {
        return new RuleBook(Map.of(), Map.of());
    }

    public RuleTimeline rule(String ruleId) {
        return byId.get(ruleId);
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    /** Fills {@code into} (cleared first) with each rule whose subtree contains the destination or source, once. */
    public void candidates(AttachDecision decision, List<RuleTimeline> into) {
        into.clear();
        if (bySubtree.isEmpty()) {
            return;
        }
        collect(decision.getDestination(), into);
        collect(decision.getSource(), into);
        if (into.size() > 1) {
            into.sort(java.util.Comparator.comparing(RuleTimeline::ruleId));
        }
    }

    private void collect(CgroupRef ref, List<RuleTimeline> into) {
        if (ref == null || ref.getPath() == null || ref.getPath().isEmpty()) {
            return;
        }
        String path = ref.getPath();
        add(bySubtree.get(path), into);
        for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
            add(bySubtree.get(path.substring(0, slash)), into);
        }
        if (!path.equals("/")) {
            add(bySubtree.get("/"), into);
        }
    }

    private static void add(List<RuleTimeline> found, List<RuleTimeline> into) {
        if (found == null) {
            return;
        }
        for (RuleTimeline t : found) {
            if (!into.contains(t)) {
                into.add(t);
            }
        }
    }
}
