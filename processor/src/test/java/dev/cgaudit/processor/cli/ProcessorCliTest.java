package dev.cgaudit.processor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What `cgaudit processor` says about its options before it touches Kafka or Flink. */
class ProcessorCliTest {

    @TempDir
    Path trust;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        CommandLine cli = new CommandLine(new ProcessorCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void the_timer_granularity_is_an_option_with_its_trade_off() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--timer-granularity=DURATION").contains("default: 100ms")
                .contains("much later findings");
    }

    @Test
    void a_timer_granularity_that_is_not_positive_is_refused_before_anything_starts() {
        assertThat(run("--trust", trust.toString(), "--timer-granularity", "0s")).isEqualTo(2);
        assertThat(err.toString()).contains("cgaudit processor: timerGranularity must be a positive duration, got PT0S");
    }

    @Test
    void a_timer_granularity_that_is_not_a_duration_names_the_option() {
        assertThat(run("--trust", trust.toString(), "--timer-granularity", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("--timer-granularity").contains("soon");
    }
}
