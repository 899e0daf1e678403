package dev.cgaudit.policy.cli;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.command.PolicyCommands;
import dev.cgaudit.policy.command.PolicyDiff;
import dev.cgaudit.policy.command.PolicyHistory;
import dev.cgaudit.policy.file.PolicyFiles;
import dev.cgaudit.policy.file.PolicySet;
import dev.cgaudit.policy.file.ValidationError;
import dev.cgaudit.policy.file.YamlSymbols;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.PolicyCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Make cgaudit.policy match the policy FILEs: validate them, read the current",
                "policy from the topic, print the difference and publish only the changes,",
                "signed (each changed rule's version + 1).",
                "The FILEs are the whole policy: a rule in force that none of them defines",
                "is DELETED. An unchanged policy prints 'no changes' and publishes nothing."})
final class ApplyCommand extends PolicySubcommand {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "MigrationPolicy YAML files: together, the whole policy.")
    List<Path> files;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    TrustOption trust;

    @Mixin
    SignerOptions signer;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, recorded in every command (default: the files applied).")
    String reason;

    @Option(names = "--dry-run", description = "Print the difference, publish nothing.")
    boolean dryRun;

    @Override
    int run() throws CliFailure {
        PolicySet policy = new PolicyFiles().load(files);
        if (!policy.isValid()) {
            for (ValidationError error : policy.errors()) {
                err().println(error);
            }
            throw new CliFailure(PolicyCli.USAGE, policy.errors().size() + " validation error(s); nothing applied");
        }
        Operator operator = dryRun ? null : Operator.load(environment(), signer);
        PolicyLogClient log = PolicyLogClient.open(environment(), kafka, trust);
        PolicyHistory history = log.history();
        if (!history.rejections().isEmpty()) {
            err().println("note: " + history.rejections().size() + " record(s) of " + log.topicName()
                    + " were rejected and do not count (see: cgaudit policy list --history)");
        }
        PolicyDiff diff = PolicyDiff.between(history.current(), policy.rules());
        if (diff.isEmpty()) {
            out().println("no changes: " + log.topicName() + " already holds the " + policy.rules().size() + " rule(s) of these files");
            return PolicyCli.OK;
        }
        print(diff);
        if (dryRun) {
            out().println("dry run: nothing published");
            return PolicyCli.OK;
        }
        String why = reason != null ? reason : "cgaudit policy apply " + String.join(" ", files.stream().map(Path::toString).toList());
        List<PolicyCommand> unsigned = commands(operator.commands(), diff, history, why);
        List<PolicyCommand> signed = operator.signAndCheck(unsigned, history.current(), log);
        log.publish(signed);
        out().println("published " + signed.size() + " command(s) to " + log.topicName() + ", signed with key " + operator.keyId());
        return PolicyCli.OK;
    }

    private static List<PolicyCommand> commands(PolicyCommands make, PolicyDiff diff, PolicyHistory history, String why) {
        List<PolicyCommand> commands = new ArrayList<>();
        for (PolicyDiff.Change change : diff.changes()) {
            long next = history.current().currentVersion(change.ruleId()) + 1;
            if (change instanceof PolicyDiff.Added a) {
                commands.add(make.upsert(a.rule(), next, why));
            } else if (change instanceof PolicyDiff.Changed c) {
                commands.add(make.upsert(c.rule(), next, why));
            } else {
                commands.add(make.delete(change.ruleId(), next, why));
            }
        }
        return commands;
    }

    private void print(PolicyDiff diff) {
        for (PolicyDiff.Change change : diff.changes()) {
            if (change instanceof PolicyDiff.Added a) {
                out().println("+ add    " + a.ruleId() + " (" + summary(a.rule()) + ")");
            } else if (change instanceof PolicyDiff.Changed c) {
                PolicyRule before = c.current().rule().orElseThrow();
                List<String> fields = new ArrayList<>();
                for (String field : c.fields()) {
                    fields.add(field.equals("mode")
                            ? "mode " + YamlSymbols.spell(before.mode()) + " -> " + YamlSymbols.spell(c.rule().mode())
                            : field);
                }
                out().println("~ change " + c.ruleId() + " v" + c.current().version() + ": " + String.join(", ", fields));
                if (before.mode() == Mode.ENFORCE && c.rule().mode() == Mode.AUDIT) {
                    err().println("warning: " + c.ruleId() + " goes from enforce to audit: the nodes stop denying,"
                            + " and the processor raises a MODE_DOWNGRADE finding for it");
                }
            } else if (change instanceof PolicyDiff.Removed r) {
                out().println("- delete " + r.ruleId() + " v" + r.current().version()
                        + " (in force, but defined in none of the files)");
            }
        }
    }

    static String summary(PolicyRule rule) {
        return YamlSymbols.spell(rule.kind()) + " on " + rule.subtree() + ", " + YamlSymbols.spell(rule.mode())
                + ", " + YamlSymbols.spell(rule.severity());
    }
}
