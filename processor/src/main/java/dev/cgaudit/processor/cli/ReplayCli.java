package dev.cgaudit.processor.cli;

import dev.cgaudit.policy.cli.CliUnits;
import dev.cgaudit.policy.cli.KafkaConnection;
import dev.cgaudit.policy.cli.TrustOption;
import dev.cgaudit.policy.command.CommandVerifier;
import dev.cgaudit.policy.command.InvalidKeyFileException;
import dev.cgaudit.policy.command.PolicyHistory;
import dev.cgaudit.policy.command.TrustStore;
import dev.cgaudit.policy.file.PolicyFiles;
import dev.cgaudit.policy.file.PolicySet;
import dev.cgaudit.policy.file.ValidationError;
import dev.cgaudit.policy.kafka.PolicyTopic;
import dev.cgaudit.policy.kafka.TopicMissingException;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.Topics;
import dev.cgaudit.processor.policy.RuleChanges;
import dev.cgaudit.processor.replay.InvalidInputException;
import dev.cgaudit.processor.replay.RecordedViolations;
import dev.cgaudit.processor.replay.ReplayInput;
import dev.cgaudit.processor.replay.ReplayJob;
import dev.cgaudit.processor.replay.ViolationComparison;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.json.JsonLines;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cgaudit replay}: the processor's own job in BATCH over recorded decisions. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Replay recorded decisions through the processor's job (Flink BATCH, same code as live) and print the",
            "violations it raises as JSON Lines; with --compare-recorded, also how they differ from cgaudit.violations."
        },
        footer = {
            "",
            "Examples:",
            "  cgaudit replay --input capture.jsonl --policy candidate.yaml        what would this policy have raised?",
            "  cgaudit replay --input kafka --from 2026-11-21T00:00:00Z --to 2026-11-28T00:00:00Z --compare-recorded",
            "",
            "Without --policy the policy history of cgaudit.policy applies, each rule version from its issuedAt on.",
            "Exit codes: 0 ok (and, with --compare-recorded, no difference), 1 a difference, 2 usage or input error."
        })
public final class ReplayCli implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "kafka|FILE|DIR",
            description = "'kafka' reads cgaudit.decisions (and collector statuses) in the range; a JSON Lines or Avro file, or a folder of them.")
    private String input;

    @Option(names = "--from", paramLabel = "TIME", description = "Start of the event-time range, ISO-8601 (e.g. 2026-11-28T10:00:00Z), inclusive.")
    private String from;

    @Option(names = "--to", paramLabel = "TIME", description = "End of the event-time range, ISO-8601, exclusive.")
    private String to;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "A MigrationPolicy file whose rules apply to the whole range (default: the history of cgaudit.policy).")
    private Path policy;

    @Option(names = "--compare-recorded", description = "Compare with what cgaudit.violations holds for the range; exit 1 on any difference.")
    private boolean compareRecorded;

    @Mixin
    private KafkaConnection kafka;

    @Mixin
    private TrustOption trust;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "2", description = "Parallelism of the replay (default: ${DEFAULT-VALUE}).")
    private int parallelism;

    @Option(names = "--kafka-margin", paramLabel = "DURATION", converter = CliUnits.DurationConverter.class, defaultValue = "10m",
            description = "With --input kafka: how far beyond the range record timestamps are searched for late-delivered decisions (default: ${DEFAULT-VALUE}).")
    private Duration kafkaMargin;

    private final Topics topics;

    public ReplayCli() {
        this(Topics.DEFAULT);
    }

    /** For tests that run against their own topics. */
    public ReplayCli(Topics topics) {
        this.topics = topics;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            ReplayJob.Range range = new ReplayJob.Range(time("--from", from), time("--to", to));
            String servers = kafka.servers();
            List<RuleChange> rules = policy(servers, err);
            ReplayInput replayInput = input(servers);

            StreamExecutionEnvironment env = ReplayJob.environment(parallelism, new Configuration());
            List<PolicyViolation> violations;
            try {
                violations = ReplayJob.run(env, replayInput, rules, range, ProcessorSettings.DEFAULTS);
            } catch (Exception e) {
                Optional<String> invalid = InvalidInputException.messageIn(e);
                if (invalid.isPresent()) {
                    throw new UsageException(invalid.get());
                }
                throw e;
            }
            JsonLines<PolicyViolation> json = JsonLines.of(PolicyViolation.class);
            violations.forEach(v -> out.println(json.write(v)));
            out.flush();
            err.println("cgaudit replay: " + violations.size() + " violations " + byKind(violations) + " under "
                    + rules.size() + " rule versions" + (policy == null ? " from " + topics.policy() : " from " + policy));
            if (!compareRecorded) {
                return 0;
            }
            List<PolicyViolation> recorded = RecordedViolations.read(servers, topics.violations(), range, Duration.ofSeconds(60));
            ViolationComparison diff = ViolationComparison.of(violations, recorded);
            diff.onlyReplayed().forEach(v -> err.println("only-in-replay " + describe(v)));
            diff.onlyRecorded().forEach(v -> err.println("only-recorded  " + describe(v)));
            diff.changed().forEach(c -> err.println("changed        " + describe(c.replayed()) + " fields " + c.fields()));
            err.println("cgaudit replay: compared with " + recorded.size() + " recorded violations: "
                    + diff.onlyReplayed().size() + " only in replay, " + diff.onlyRecorded().size() + " only recorded, "
                    + diff.changed().size() + " changed");
            return diff.same() ? 0 : 1;
        } catch (UsageException e) {
            err.println("cgaudit replay: " + e.getMessage());
            return 2;
        }
    }

    private List<RuleChange> policy(String servers, PrintWriter err) throws UsageException {
        if (policy != null) {
            PolicySet set = new PolicyFiles().load(List.of(policy));
            if (!set.isValid()) {
                set.errors().stream().skip(1).map(ValidationError::toString).forEach(err::println);
                throw new UsageException(set.errors().get(0).toString());
            }
            return RuleChanges.fromFile(set.rules(), policy.getFileName().toString());
        }
        Path trustDir = trust.directory();
        TrustStore store;
        try {
            store = TrustStore.load(trustDir);
        } catch (IOException | InvalidKeyFileException e) {
            throw new UsageException("trust store " + trustDir + ": " + e.getMessage());
        }
        try {
            PolicyHistory history = PolicyHistory.replay(
                    new PolicyTopic(servers, topics.policy(), Map.of()).readAll(Duration.ofSeconds(30)), new CommandVerifier(store));
            history.rejections().forEach(r -> err.println("cgaudit replay: policy record not applied: " + r));
            return RuleChanges.of(history);
        } catch (TopicMissingException | TimeoutException e) {
            throw new UsageException("no --policy, and the policy history cannot be read: " + e.getMessage());
        }
    }

    private ReplayInput input(String servers) throws UsageException {
        if (input.equals("kafka")) {
            return new ReplayInput.Kafka(servers, topics.decisions(), topics.status(), kafkaMargin);
        }
        Path path = Path.of(input);
        if (!Files.exists(path)) {
            throw new UsageException("--input " + input + ": no such file or directory");
        }
        return new ReplayInput.Files(List.of(path));
    }

    private static Optional<Instant> time(String option, String text) throws UsageException {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            throw new UsageException(option + " " + text + ": expected an ISO-8601 instant such as 2026-11-28T10:00:00Z");
        }
    }

    private static String byKind(List<PolicyViolation> violations) {
        Map<String, Integer> counts = new TreeMap<>();
        violations.forEach(v -> counts.merge(v.getKind().name(), 1, Integer::sum));
        return counts.toString();
    }

    private static String describe(PolicyViolation v) {
        return v.getViolationId() + " " + v.getKind() + " " + v.getRuleId() + " v" + v.getRuleVersion() + " " + v.getFirstSeen();
    }

    /** Input or usage the user has to fix: exit 2 with the message alone. */
    private static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }
}
