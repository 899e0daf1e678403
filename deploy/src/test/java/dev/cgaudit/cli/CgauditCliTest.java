package dev.cgaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CgauditCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = CgauditCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpDescribesTheToolAndExitCodes() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString())
                .contains("Usage: cgaudit")
                .contains("cgroup attach decisions")
                .contains("Exit codes:")
                .contains("--version");
    }

    @Test
    void versionNamesTheBuildAndItsComponents() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString())
                .containsPattern("cgaudit \\d+\\.\\d+\\.\\d+")
                .contains("Flink 2.2")
                .contains("Kafka clients 4.")
                .contains("Avro 1.12");
    }

    @Test
    void everyCommandHasHelp() {
        CommandLine cli = CgauditCli.commandLine();
        assertThat(cli.getSubcommands()).isNotEmpty();
        for (String name : cli.getSubcommands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            StringWriter text = new StringWriter();
            CommandLine sub = CgauditCli.commandLine();
            sub.setOut(new PrintWriter(text, true));
            assertThat(sub.execute(name, "--help")).as("cgaudit %s --help", name).isZero();
            assertThat(text.toString()).as("cgaudit %s --help", name).contains("Usage: cgaudit " + name);
        }
    }

    @Test
    void subcommandsAnswerVersionToo() {
        assertThat(run("policy", "validate", "--version")).isZero();
        assertThat(out.toString()).containsPattern("cgaudit \\d+\\.\\d+\\.\\d+");
    }

    @Test
    void theContractCommandsAreRegistered() {
        assertThat(CgauditCli.commandLine().getSubcommands()).containsKeys("demo", "collector", "policy", "sink");
        assertThat(CgauditCli.commandLine().getSubcommands().get("policy").getSubcommands())
                .containsKeys("validate", "apply", "set-mode", "list", "keygen");
    }

    @Test
    void demoUsageErrorsAreExitTwoBeforeAnythingStarts() {
        assertThat(run("demo", "--source", "kernel")).isEqualTo(2);
        assertThat(err.toString()).contains("--source must be auto, bpf or trace");
        assertThat(run("demo", "--duration", "5s")).isEqualTo(2);
        assertThat(err.toString()).contains("--duration must be at least 20s");
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument").contains("frobnicate");
    }

    @Test
    void noCommandIsAUsageErrorThatShowsTheCommands() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("missing command").contains("Usage: cgaudit");
    }
}
