package dev.cgaudit.policy.cli;

import dev.cgaudit.policy.command.PolicyHistory;
import dev.cgaudit.policy.command.RuleVersion;
import dev.cgaudit.policy.file.YamlSymbols;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.PolicyCommand;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "set-mode", mixinStandardHelpOptions = true,
        description = {"Switch one rule between audit (report only) and enforce (the nodes deny)",
                "with one signed SET_MODE command. Only the mode changes; the rule's version",
                "goes up by one. enforce -> audit raises a MODE_DOWNGRADE finding."})
final class SetModeCommand extends PolicySubcommand {

    @Parameters(index = "0", paramLabel = "RULE", description = "The rule id.")
    String ruleId;

    @Parameters(index = "1", paramLabel = "MODE", description = "audit or enforce.")
    String mode;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (required; recorded in the command).")
    String reason;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    TrustOption trust;

    @Mixin
    SignerOptions signer;

    @Override
    int run() throws CliFailure {
        Mode target = YamlSymbols.parse(Mode.class, mode).orElseThrow(() ->
                new CliFailure(PolicyCli.USAGE, "unknown mode '" + mode + "'; expected audit or enforce"));
        if (reason.isBlank()) {
            throw new CliFailure(PolicyCli.USAGE, "--reason must say why");
        }
        Operator operator = Operator.load(environment(), signer);
        PolicyLogClient log = PolicyLogClient.open(environment(), kafka, trust);
        PolicyHistory history = log.history();
        Optional<RuleVersion> current = history.current().rule(ruleId);
        if (current.isEmpty()) {
            throw new CliFailure(PolicyCli.USAGE, "no rule '" + ruleId + "' in " + log.topicName() + " (rules: "
                    + String.join(", ", history.current().rules().stream().map(RuleVersion::ruleId).toList()) + ")");
        }
        Mode before = current.get().rule().orElseThrow().mode();
        if (before == target) {
            out().println(ruleId + " is already in " + YamlSymbols.spell(target) + " mode (v" + current.get().version()
                    + "); nothing published");
            return PolicyCli.OK;
        }
        long next = history.current().currentVersion(ruleId) + 1;
        PolicyCommand command = operator.commands().setMode(current.get().rule().orElseThrow(), target, next, reason);
        List<PolicyCommand> signed = operator.signAndCheck(List.of(command), history.current(), log);
        if (before == Mode.ENFORCE && target == Mode.AUDIT) {
            err().println("warning: " + ruleId + " goes from enforce to audit: the nodes stop denying,"
                    + " and the processor raises a MODE_DOWNGRADE finding (high severity) for it");
        }
        log.publish(signed);
        out().println(ruleId + ": " + YamlSymbols.spell(before) + " -> " + YamlSymbols.spell(target)
                + " (v" + current.get().version() + " -> v" + next + "), published to " + log.topicName());
        return PolicyCli.OK;
    }
}
