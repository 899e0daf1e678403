package dev.cgaudit.processor.bench;

import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.Operation;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.RuleKind;
import dev.cgaudit.schema.Target;
import dev.cgaudit.schema.Writer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The benchmark's fleet: 1,000 nodes, 10,000 subtrees ({@code /tG/sI}: 100 groups of 100), 100 rules
 * of mixed kinds (40 allowlist, 30 containment, 15 denial-burst, 15 churn; a burst and a churn rule
 * on {@code /}), and decisions drawn from them with a fixed seed.
 */
final class BenchFleet {

    static final int NODES = 1_000;
    static final int SUBTREES = 10_000;
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    private final Random random;
    private final long[] nextSeq = new long[NODES];
    private long index;

    BenchFleet(long seed) {
        this.random = new Random(seed);
    }

    static String subtree(int i) {
        return "/t" + (i / 100) + "/s" + i;
    }

    static List<PolicyRule> rules() {
        Random r = new Random(7);
        List<PolicyRule> rules = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String path = i % 4 == 0 ? "/t" + r.nextInt(100) : subtree(r.nextInt(SUBTREES));
            rules.add(PolicyRule.builder("allow-" + i, RuleKind.ALLOWLIST, path)
                    .allow(AllowEntry.builder().exe("/usr/lib/systemd/systemd").build(),
                            AllowEntry.builder().uid(0L).comm("containerd", "runc").build())
                    .mode(i % 3 == 0 ? Mode.ENFORCE : Mode.AUDIT).build());
        }
        for (int i = 0; i < 30; i++) {
            String path = i % 3 == 0 ? "/t" + r.nextInt(100) : subtree(r.nextInt(SUBTREES));
            rules.add(PolicyRule.builder("contain-" + i, RuleKind.CONTAINMENT, path).build());
        }
        for (int i = 0; i < 15; i++) {
            String path = i == 0 ? "/" : "/t" + r.nextInt(100);
            rules.add(PolicyRule.builder("burst-" + i, RuleKind.DENIAL_BURST, path).threshold(5, Duration.ofSeconds(10)).build());
        }
        for (int i = 0; i < 15; i++) {
            String path = i == 0 ? "/" : "/t" + r.nextInt(100);
            rules.add(PolicyRule.builder("churn-" + i, RuleKind.CHURN, path).threshold(10, Duration.ofSeconds(60)).build());
        }
        return rules;
    }

    /** The next decision: 20,000 a second of event time across the fleet, each node's seq gap-free. */
    AttachDecision next() {
        int node = random.nextInt(NODES);
        long seq = nextSeq[node]++;
        Instant at = T0.plusNanos(index++ * 50_000L);
        boolean shell = random.nextInt(10) < 2;
        boolean denied = random.nextInt(10) == 0;
        int tgid = shell ? 2_000 + random.nextInt(50) : 1;
        return AttachDecision.newBuilder()
                .setEventId("n" + node + "/boot/" + seq)
                .setNode("n" + node).setBootId("boot").setSeq(seq)
                .setKernelTimeNs(seq)
                .setTimestamp(at)
                .setOperation(Operation.PROCS_WRITE)
                .setWriter(Writer.newBuilder().setPid(tgid).setTgid(tgid).setUid(shell ? 1000 : 0).setGid(0)
                        .setComm(shell ? "bash" : "systemd").setExe(shell ? "/usr/bin/bash" : "/usr/lib/systemd/systemd")
                        .setCgroupId(1).setCgroupPath("/init.scope").build())
                .setTarget(Target.newBuilder().setPid(10_000 + random.nextInt(1_000)).setTgid(10_000 + random.nextInt(1_000))
                        .setComm("worker").build())
                .setSource(CgroupRef.newBuilder().setId(1).setPath(subtree(random.nextInt(SUBTREES))).build())
                .setDestination(CgroupRef.newBuilder().setId(2).setPath(subtree(random.nextInt(SUBTREES))).build())
                .setOutcome(denied ? Outcome.DENIED : Outcome.ALLOWED)
                .setErrno(denied ? 13 : 0).setErrnoName(denied ? "EACCES" : null)
                .setEnforcement(null).setCollectorVersion("bench")
                .build();
    }
}
