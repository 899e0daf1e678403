package dev.cgaudit.processor.bench;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.processor.policy.RuleChanges;
import dev.cgaudit.processor.replay.ReplayInput;
import dev.cgaudit.processor.replay.ReplayJob;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.RuleKind;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.util.FileUtils;

/**
 * Writes every violation a replay of a fixed bench workload raises, whole and sorted, to a file:
 * run it at two commits and compare the files to show that a change to the job left its results
 * alone. The bench's own rules hardly ever complete a window, so two low-threshold window rules on
 * {@code /} are added (about 25,000 DENIAL_BURST and CHURN violations of 56,000).
 *
 * <p>Usage: {@code processor/bench/violation-dump.sh OUT_FILE [DECISIONS]} (default 200,000).
 */
public final class ViolationDump {

    private ViolationDump() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ViolationDump OUT_FILE [DECISIONS]");
            System.exit(2);
        }
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        Path dir = Files.createTempDirectory("cgaudit-violation-dump-");
        Path first = ProcessorBench.writeAvro(dir.resolve("part-0.avro"), n / 2, 7);
        Path second = ProcessorBench.writeAvro(dir.resolve("part-1.avro"), n - n / 2, 8);
        List<PolicyRule> rules = new ArrayList<>(BenchFleet.rules());
        rules.add(PolicyRule.builder("burst-low", RuleKind.DENIAL_BURST, "/").threshold(2, Duration.ofSeconds(10)).build());
        rules.add(PolicyRule.builder("churn-low", RuleKind.CHURN, "/").threshold(2, Duration.ofSeconds(60)).build());
        Configuration config = new Configuration();
        config.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("1g"));
        List<PolicyViolation> violations;
        try {
            violations = ReplayJob.run(ReplayJob.environment(2, config),
                    new ReplayInput.Files(List.of(first, second)), RuleChanges.fromFile(rules, "bench"), ReplayJob.Range.ALL,
                    ProcessorBench.SETTINGS);
        } finally {
            FileUtils.deleteDirectory(dir.toFile());
        }
        try (PrintWriter out = new PrintWriter(args[0])) {
            violations.stream().map(PolicyViolation::toString).sorted().forEach(out::println);
        }
        System.err.printf("%,d violations of %,d decisions written to %s%n", violations.size(), n, args[0]);
        System.exit(0);
    }
}
