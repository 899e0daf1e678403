package dev.cgaudit.processor;

import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.command.CommandSigner;
import dev.cgaudit.policy.command.PolicyCommands;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.Operation;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.RuleKind;
import dev.cgaudit.schema.Severity;
import dev.cgaudit.schema.Target;
import dev.cgaudit.schema.Writer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A deterministic recording: decisions of several nodes (seeded), in the order they would arrive
 * (out of order by up to {@code maxDisplacement}, never more), a few lost seqs, and a signed policy
 * history that changes modes, thresholds and deletes a rule while the decisions run.
 */
public final class RecordedStream {

    public static final Instant T0 = Moves.T0;
    static final String BOOT = "b0000000-0000-4000-8000-00000000000";

    public final List<AttachDecision> arrivalOrder;
    public final List<PolicyCommand> policy;

    private RecordedStream(List<AttachDecision> arrivalOrder, List<PolicyCommand> policy) {
        this.arrivalOrder = arrivalOrder;
        this.policy = policy;
    }

    public static RecordedStream generate(long seed, int decisions, int nodes, Duration maxDisplacement, CommandSigner signer) {
        Random random = new Random(seed);
        Map<String, Long> nextSeq = new HashMap<>();
        List<long[]> order = new ArrayList<>();
        List<AttachDecision> all = new ArrayList<>();
        for (int i = 0; i < decisions; i++) {
            String node = "node-" + random.nextInt(nodes);
            long seq = nextSeq.merge(node, 1L, Long::sum) - 1;
            if (random.nextInt(2_000) == 0) {
                // a decision the collector lost: the seq is skipped
                seq = nextSeq.merge(node, 1L, Long::sum) - 1;
            }
            Instant at = T0.plusMillis(i * 10L);
            all.add(decision(random, node, seq, at));
            order.add(new long[] {i, at.toEpochMilli() + (long) (random.nextDouble() * maxDisplacement.toMillis())});
        }
        order.sort(Comparator.<long[]>comparingLong(o -> o[1]).thenComparingLong(o -> o[0]));
        List<AttachDecision> arrival = new ArrayList<>();
        for (long[] o : order) {
            arrival.add(all.get((int) o[0]));
        }
        return new RecordedStream(arrival, history(signer));
    }

    /** One decision per partition, well after the recording, to carry every partition's watermark past its end. */
    public static AttachDecision tail(int partition) {
        String node = "tail-" + partition;
        return AttachDecision.newBuilder(Moves.move(node, 0, T0.plus(Duration.ofHours(1)), null, "/tail").build())
                .setTarget(null).setWriter(systemd()).build();
    }

    static AttachDecision decision(Random random, String node, long seq, Instant at) {
        int r = random.nextInt(100);
        int n = Integer.parseInt(node.substring(node.indexOf('-') + 1));
        String source;
        String destination;
        Writer writer = systemd();
        Outcome outcome = Outcome.ALLOWED;
        Integer targetTgid = 10_000 + random.nextInt(40);
        if (r < 40) {
            source = "/user.slice/user-100" + random.nextInt(3) + ".slice";
            destination = "/system.slice/svc-" + random.nextInt(20) + ".service";
        } else if (r < 55) {
            source = "/user.slice/user-1000.slice";
            destination = "/system.slice/svc-" + random.nextInt(20) + ".service";
            writer = shell(2_000 + n * 10 + random.nextInt(4));
        } else if (r < 70) {
            source = null;
            destination = "/system.slice/svc-" + random.nextInt(20) + ".service";
            writer = shell(2_000 + n * 10 + random.nextInt(4));
            outcome = Outcome.DENIED;
            targetTgid = null;
        } else if (r < 80) {
            source = "/user.slice/user-100" + random.nextInt(3) + ".slice/app-" + random.nextInt(5) + ".scope";
            destination = "/kubepods/pod-" + random.nextInt(30);
        } else {
            source = "/kubepods/pod-" + random.nextInt(30);
            destination = "/kubepods/pod-" + random.nextInt(30);
        }
        return AttachDecision.newBuilder()
                .setEventId(node + "/" + BOOT + n + "/" + seq)
                .setNode(node).setBootId(BOOT + n).setSeq(seq)
                .setKernelTimeNs(seq * 1_000L)
                .setTimestamp(at)
                .setOperation(Operation.PROCS_WRITE)
                .setWriter(writer)
                .setTarget(targetTgid == null ? null : Target.newBuilder().setPid(targetTgid).setTgid(targetTgid).setComm("worker").build())
                .setSource(source == null ? null : CgroupRef.newBuilder().setId(100).setPath(source).build())
                .setDestination(CgroupRef.newBuilder().setId(200).setPath(destination).build())
                .setOutcome(outcome)
                .setErrno(outcome == Outcome.DENIED ? 13 : 0)
                .setErrnoName(outcome == Outcome.DENIED ? "EACCES" : null)
                .setEnforcement(null)
                .setCollectorVersion("0.1.0")
                .build();
    }

    static Writer systemd() {
        return Writer.newBuilder().setPid(1).setTgid(1).setUid(0).setGid(0).setComm("systemd")
                .setExe("/usr/lib/systemd/systemd").setCgroupId(1).setCgroupPath("/init.scope").build();
    }

    static Writer shell(int tgid) {
        return Writer.newBuilder().setPid(tgid).setTgid(tgid).setUid(1000).setGid(1000).setComm("bash")
                .setExe("/usr/bin/bash").setCgroupId(9).setCgroupPath("/user.slice/user-1000.slice/session-1.scope").build();
    }

    /** Rules in force from before the recording; a switch to enforce, a downgrade, a new threshold, a deletion during it. */
    static List<PolicyCommand> history(CommandSigner signer) {
        PolicyRule managers = PolicyRule.builder("system-slice-managers", RuleKind.ALLOWLIST, "/system.slice")
                .allow(AllowEntry.builder().exe("/usr/lib/systemd/systemd").build()).severity(Severity.HIGH).build();
        PolicyRule containment = PolicyRule.builder("user-containment", RuleKind.CONTAINMENT, "/user.slice")
                .mode(Mode.ENFORCE).severity(Severity.CRITICAL).build();
        PolicyRule probing = PolicyRule.builder("probing", RuleKind.DENIAL_BURST, "/").threshold(5, Duration.ofSeconds(10)).build();
        PolicyRule bouncing = PolicyRule.builder("bouncing", RuleKind.CHURN, "/kubepods")
                .threshold(4, Duration.ofSeconds(20)).severity(Severity.LOW).build();
        List<PolicyCommand> commands = new ArrayList<>();
        commands.add(signer.sign(at(-60).upsert(managers, 1, "initial")));
        commands.add(signer.sign(at(-60).upsert(containment, 1, "initial")));
        commands.add(signer.sign(at(-60).upsert(probing, 1, "initial")));
        commands.add(signer.sign(at(-60).upsert(bouncing, 1, "initial")));
        commands.add(signer.sign(at(30).setMode(managers, Mode.ENFORCE, 2, "rollout")));
        commands.add(signer.sign(at(50).setMode(containment, Mode.AUDIT, 2, "incident")));
        commands.add(signer.sign(at(60).upsert(PolicyRule.builder("probing", RuleKind.DENIAL_BURST, "/")
                .threshold(3, Duration.ofSeconds(5)).build(), 2, "tighter")));
        commands.add(signer.sign(at(75).delete("bouncing", 2, "too noisy")));
        return commands;
    }

    private static PolicyCommands at(int seconds) {
        return new PolicyCommands("alice", Clock.fixed(T0.plusSeconds(seconds), ZoneOffset.UTC));
    }
}
