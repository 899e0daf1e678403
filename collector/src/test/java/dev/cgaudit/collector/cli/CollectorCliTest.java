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

class CollectorCliTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final JsonLines<AttachDecision> json = JsonLines.of(AttachDecision.class);

    private int run(String... args) {
        CommandLine cli = new CommandLine(new CollectorCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void playsATraceToStdoutAsJsonLinesUnchanged() throws Exception {
        List<AttachDecision> trace = List.of(Decisions.allowedProcsWrite().build(), Decisions.deniedAtOpen().build(),
                Decisions.enforcedClone().build());
        Path file = dir.resolve("trace.jsonl");
        Files.write(file, trace.stream().map(json::write).toList());

        assertThat(run("--sink", "stdout", "--source", file.toString(), "--spool", dir.resolve("spool").toString(),
                "--status-interval", "1h")).isZero();

        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(json.read(lines.get(i))).isEqualTo(trace.get(i));
        }
        assertThat(err.toString()).contains("playing 3 decisions");
    }

    @Test
    void aBadTraceLineIsAnInputErrorNamingFileLineAndFieldAndNothingIsPlayed() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.write(file, List.of(json.write(Decisions.allowedProcsWrite().build()),
                json.write(Decisions.deniedAtOpen().build()).replace("\"outcome\":\"DENIED\"", "\"outcome\":\"NOPE\"")));

        assertThat(run("--sink", "stdout", "--source", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains(file + ":2: field 'outcome'").contains("[ALLOWED, DENIED]");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(run("--sink", "carrier-pigeon", "--source", "bpf")).isEqualTo(2);
        assertThat(err.toString()).contains("--sink must be kafka or stdout");
        assertThat(run("--source", dir.resolve("missing.jsonl").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("neither 'bpf' nor a readable trace file");
        assertThat(run("--status-interval", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("'soon' is not a duration");
    }

    @Test
    void helpListsEveryContractOption() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--bootstrap", "--node", "--spool", "--sink", "--source", "--metrics-port");
    }
}
