package dev.cgaudit.policy.cli;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.command.PolicyHistory;
import dev.cgaudit.policy.command.Rejection;
import dev.cgaudit.policy.command.RuleVersion;
import dev.cgaudit.policy.file.YamlSymbols;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"Print the policy in force, read from cgaudit.policy and verified against the",
                "trust store: id, kind, subtree, mode, severity, version, author, issued at.",
                "With --history, also every accepted version and every rejected command with",
                "the reason it was rejected."})
final class ListCommand extends PolicySubcommand {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    TrustOption trust;

    @Option(names = "--history", description = "Also print every accepted version and every rejected command.")
    boolean showHistory;

    @Override
    int run() throws CliFailure {
        PolicyLogClient log = PolicyLogClient.open(environment(), kafka, trust);
        PolicyHistory history = log.history();
        List<RuleVersion> rules = history.current().rules();
        if (rules.isEmpty()) {
            out().println("no rules in force in " + log.topicName());
        } else {
            Table table = new Table("ID", "KIND", "SUBTREE", "MODE", "SEVERITY", "VERSION", "AUTHOR", "ISSUED-AT");
            for (RuleVersion v : rules) {
                PolicyRule r = v.rule().orElseThrow();
                table.row(r.id(), YamlSymbols.spell(r.kind()), r.subtree().path(), YamlSymbols.spell(r.mode()),
                        YamlSymbols.spell(r.severity()), String.valueOf(v.version()), v.author(), v.issuedAt().toString());
            }
            table.print(out());
        }
        if (!history.rejections().isEmpty() && !showHistory) {
            err().println(history.rejections().size() + " rejected command(s) ignored; see --history");
        }
        if (showHistory) {
            out().println();
            out().println("accepted versions (" + history.versions().size() + "):");
            Table accepted = new Table("RULE", "VERSION", "COMMAND", "MODE", "AUTHOR", "ISSUED-AT", "KEY", "REASON");
            for (RuleVersion v : history.versions()) {
                accepted.row(v.ruleId(), String.valueOf(v.version()), v.cause().name(),
                        v.rule().map(r -> YamlSymbols.spell(r.mode())).orElse("-"), v.author(), v.issuedAt().toString(),
                        v.keyId(), v.reason().orElse(""));
            }
            accepted.print(out());
            out().println();
            out().println("rejected commands (" + history.rejections().size() + "):");
            Table rejected = new Table("POSITION", "RULE", "VERSION", "COMMAND", "AUTHOR", "REJECTED", "WHY");
            for (Rejection r : history.rejections()) {
                rejected.row(r.position(), r.key() == null ? "-" : r.key(),
                        r.command().map(c -> String.valueOf(c.getRuleVersion())).orElse("-"),
                        r.command().map(c -> c.getType().name()).orElse("-"),
                        r.command().map(c -> c.getAuthor()).orElse("-"), r.reason().name(), r.detail());
            }
            rejected.print(out());
        }
        return PolicyCli.OK;
    }

    /** A plain-text table whose columns are as wide as their widest cell. */
    private static final class Table {
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            rows.add(header);
        }

        void row(String... cells) {
            rows.add(cells);
        }

        void print(java.io.PrintWriter out) {
            int[] widths = new int[rows.get(0).length];
            for (String[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    widths[i] = Math.max(widths[i], row[i].length());
                }
            }
            for (String[] row : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < row.length; i++) {
                    line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
                }
                out.println(line.toString().stripTrailing());
            }
        }
    }
}
