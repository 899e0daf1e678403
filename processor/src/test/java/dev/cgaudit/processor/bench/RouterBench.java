package dev.cgaudit.processor.bench;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.processor.EncodedDecision;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.Rules;
import dev.cgaudit.processor.functions.RouterHarness;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.codec.EventCodec;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/**
 * The router alone, on one thread: {@link ProcessorBench}'s decisions and rules through
 * {@link DecisionRouter} in Flink's operator test harness (heap keyed state, event-time timers),
 * without Kafka, network or other threads, so a change to the router shows in its CPU per decision
 * without the full job's noise. Watermarks follow event time every 100 ms (the job's timer
 * granularity), trailing it by the job's out-of-orderness bound (5 s) as the job's sources do, and a
 * checkpoint's snapshot is taken every 5 s of event time, so the heap backend copies state on write
 * as it does in the job. Prints a table: CPU ns per decision of each round.
 *
 * <pre>
 * processor/bench/router-bench.sh [DECISIONS=1000000] [ROUNDS=5]
 * </pre>
 *
 * <p>The first round is warm-up for the JIT; compare the median of the later ones.
 */
public final class RouterBench {

    /** {@code -Dbench.snapshots=false} leaves out the checkpoints' snapshots (and so the copies on write). */
    static final boolean SNAPSHOTS = !"false".equals(System.getProperty("bench.snapshots"));

    static final long LAG = ProcessorSettings.DEFAULTS.outOfOrderness().toMillis();

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        EventCodec<AttachDecision> codec = EventCodec.of(AttachDecision.class);
        BenchFleet fleet = new BenchFleet(41);
        EncodedDecision[] decisions = new EncodedDecision[n];
        for (int i = 0; i < n; i++) {
            AttachDecision d = fleet.next();
            decisions[i] = EncodedDecision.of(d, codec.encode(d));
        }
        List<RuleChange> rules = new ArrayList<>();
        for (PolicyRule rule : BenchFleet.rules()) {
            rules.add(Rules.upsert(rule, 1, BenchFleet.T0.minusSeconds(3600)));
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] nsPerDecision = new double[rounds];
        System.out.printf("heap on transparent huge pages: %s%n", ProcessorBench.hugePages());
        System.out.printf("| round | decisions | CPU s | CPU ns/decision | violations |%n| ---: | ---: | ---: | ---: | ---: |%n");
        for (int r = 0; r < rounds; r++) {
            long cpu0 = threads.getCurrentThreadCpuTime();
            long violations = run(decisions, rules);
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            nsPerDecision[r] = (double) cpu / n;
            System.out.printf(Locale.ROOT, "| %d%s | %,d | %.2f | %,.0f | %,d |%n", r + 1, r == 0 ? " (warm-up)" : "", n,
                    cpu / 1e9, nsPerDecision[r], violations);
        }
        if (rounds > 1) {
            double[] timed = Arrays.copyOfRange(nsPerDecision, 1, rounds);
            Arrays.sort(timed);
            System.out.printf(Locale.ROOT, "median of rounds 2..%d: %,.0f CPU ns per decision%n", rounds, timed[timed.length / 2]);
        }
    }

    /** One pass over every decision in a fresh router; the number of violations it raised. */
    static long run(EncodedDecision[] decisions, List<RuleChange> rules) throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange, PolicyViolation> h = RouterHarness.open(null)) {
            long start = decisions[0].millis();
            for (RuleChange rule : rules) {
                h.processBroadcastElement(rule, start - 3_600_000);
            }
            long violations = 0;
            long nextWatermark = start + 100;
            long nextSnapshot = start + 5_000;
            long checkpoint = 0;
            for (EncodedDecision d : decisions) {
                long ms = d.millis();
                if (ms >= nextWatermark) {
                    // As the job's sources: the watermark trails the newest event by the out-of-orderness bound,
                    // so that much event time of decisions waits in the router's buffer.
                    h.processWatermark(nextWatermark - 1 - LAG);
                    h.processBroadcastWatermark(nextWatermark - 1 - LAG);
                    nextWatermark += 100;
                    violations += drain(h);
                }
                if (SNAPSHOTS && ms >= nextSnapshot) {
                    h.snapshot(++checkpoint, nextSnapshot);
                    nextSnapshot += 5_000;
                }
                h.processElement(d, ms);
            }
            h.processWatermark(Long.MAX_VALUE);
            h.processBroadcastWatermark(Long.MAX_VALUE);
            return violations + drain(h);
        }
    }

    private static long drain(KeyedBroadcastOperatorTestHarness<String, EncodedDecision, RuleChange, PolicyViolation> h) {
        long records = h.getOutput().stream().filter(o -> o instanceof StreamRecord).count();   // not the watermarks
        h.getOutput().clear();
        return records;
    }

    private RouterBench() {
    }
}
