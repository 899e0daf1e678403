package dev.cgaudit.sink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class SinkCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new SinkCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpNamesTheContractOptions() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Usage: sink").contains("--format").contains("--to")
                .contains("--dead-letter").contains("--max-attempts").contains("--archive").contains("OCSF 1.3.0");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--format|ecs|only 'ocsf' is supported",
        "--to|ftp://siem/hook|expected file:PATH, http://URL or https://URL",
        "--to|file:|needs a path",
        "--max-attempts|0|at least 1",
        "--header|NoColon|expected NAME:VALUE",
        "--flink|jm:8081|--archive keeps decisions"
    })
    void inputErrorsExitWithTwoAndSayWhy(String option, String value, String message) {
        String[] args = option.equals("--flink")
                ? new String[] {"--archive", "/tmp/a", "--to", "file:/tmp/x", option, value}
                : new String[] {option, value};
        assertThat(run(args)).isEqualTo(2);
        assertThat(err.toString()).contains(message);
    }

    @Test
    void aRemoteFlinkIsNotSupportedYet() {
        assertThat(run("--archive", "/tmp/a", "--flink", "jm:8081")).isEqualTo(2);
        assertThat(err.toString()).contains("only 'local'");
    }

    @Test
    void badUnitsAreUsageErrors() {
        assertThat(run("--backoff", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("not a duration");
        assertThat(run("--rotate-size", "big")).isEqualTo(2);
    }
}
