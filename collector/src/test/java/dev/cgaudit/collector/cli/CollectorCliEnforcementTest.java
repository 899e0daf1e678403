package dev.cgaudit.collector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.json.JsonLines;
import dev.cgaudit.testing.Decisions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CollectorCliEnforcementTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new CollectorCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path trace() throws Exception {
        Path file = dir.resolve("trace.jsonl");
        Files.write(file, List.of(JsonLines.of(AttachDecision.class).write(Decisions.allowedProcsWrite().build())));
        return file;
    }

    @Test
    void enforcingATracePlayedBackIsAUsageError() throws Exception {
        assertThat(run("--sink", "stdout", "--source", trace().toString(), "--enforce")).isEqualTo(2);
        assertThat(err.toString()).contains("--enforce needs --source bpf");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aTracePlaysWithoutEnforcementAndWithoutATrustStore() throws Exception {
        assertThat(run("--sink", "stdout", "--source", trace().toString(), "--spool", dir.resolve("spool").toString(),
                "--status-interval", "1h", "--trust", dir.resolve("no-such-trust").toString())).isZero();
        assertThat(out.toString().lines()).hasSize(1);
        assertThat(dir.resolve("spool").resolve("enforcer-state.json")).doesNotExist();
    }

    @Test
    void helpStatesTheEnforcementDefaultAndTheTrustStore() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--[no-]enforce").contains("on when running as root with --source bpf")
                .contains("--trust=DIR").contains("$CGAUDIT_TRUST").contains("enforcer-state.json");
    }
}
