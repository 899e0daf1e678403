package dev.cgaudit.processor.cli;

import static dev.cgaudit.processor.Moves.T0;
import static dev.cgaudit.processor.Moves.byShell;
import static dev.cgaudit.processor.Moves.move;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.ViolationKind;
import dev.cgaudit.schema.json.JsonLines;
import dev.cgaudit.sink.archive.ArchiveLayout;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `cgaudit replay` over files with a policy file: in-JVM Flink, BATCH. */
class ReplayCliIT {

    static final String POLICY = """
            apiVersion: cgaudit.dev/v1
            kind: MigrationPolicy
            rules:
              - id: system-slice-managers
                subtree: /system.slice
                kind: allowlist
                mode: enforce
                severity: high
                allow:
                  - exe: /usr/lib/systemd/systemd
            """;

    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int replay(String... args) {
        CommandLine cli = new CommandLine(new ReplayCli());
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    Path capture(List<AttachDecision> decisions) throws Exception {
        JsonLines<AttachDecision> json = JsonLines.of(AttachDecision.class);
        Path file = dir.resolve("capture.jsonl");
        Files.write(file, decisions.stream().map(json::write).toList());
        return file;
    }

    @Test
    void prints_what_a_candidate_policy_would_have_raised_as_json_lines() throws Exception {
        Path policy = Files.writeString(dir.resolve("candidate.yaml"), POLICY);
        Path input = capture(List.of(
                move("node-a", 0, T0, "/user.slice", "/system.slice/a.service").build(),
                byShell(move("node-a", 1, T0.plusSeconds(1), "/user.slice", "/system.slice/a.service"), 4242).build()));

        int exit = replay("--input", input.toString(), "--policy", policy.toString(), "--parallelism", "1");

        assertThat(exit).as(err.toString()).isZero();
        JsonLines<PolicyViolation> json = JsonLines.of(PolicyViolation.class);
        List<PolicyViolation> printed = out.toString().lines().map(line -> {
            try {
                return json.read(line);
            } catch (Exception e) {
                throw new AssertionError(line, e);
            }
        }).toList();
        assertThat(printed).extracting(PolicyViolation::getKind)
                .containsExactlyInAnyOrder(ViolationKind.UNAUTHORIZED_MIGRATION, ViolationKind.ENFORCEMENT_BYPASS);
        assertThat(err.toString()).contains("2 violations");
    }

    /**
     * The sink's archive holds one node's decisions per file ({@code date=.../node=.../*.avro}), so a
     * replay of it is one split per node and day. Flink's FileSource makes a split fetcher per split and
     * shuts each down when idle; with many splits some of those shutdowns hang (FLINK-40660), and the
     * reader's close then waited Flink's default 30 s for them: every archive replay took 30 s longer
     * than its work (processor/BENCHMARKS.md). The bound here is that default; the work takes seconds.
     */
    @Test
    void an_archive_folder_replays_as_the_same_decisions_in_one_file_and_does_not_wait_out_stuck_fetchers() throws Exception {
        Path policy = Files.writeString(dir.resolve("candidate.yaml"), POLICY);
        Path archive = dir.resolve("archive");
        List<AttachDecision> all = new ArrayList<>();
        for (int node = 0; node < 400; node++) {
            Path file = Files.createDirectories(archive.resolve(ArchiveLayout.bucket(T0, "n" + node)))
                    .resolve(ArchiveLayout.PART_PREFIX + "-0" + ArchiveLayout.PART_SUFFIX);
            try (DataFileWriter<AttachDecision> writer = ArchiveLayout.fileWriter(Files.newOutputStream(file))) {
                for (int seq = 0; seq < 5; seq++) {
                    AttachDecision.Builder move = move("n" + node, seq, T0.plusSeconds(seq), "/user.slice", "/system.slice/a.service");
                    AttachDecision d = (seq % 2 == 0 ? byShell(move, 4000 + seq) : move).build();
                    writer.append(d);
                    all.add(d);
                }
            }
        }
        Path capture = capture(all);

        long start = System.nanoTime();
        int exit = replay("--input", archive.toString(), "--policy", policy.toString(), "--parallelism", "2");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(exit).as(err.toString()).isZero();
        String fromArchive = out.toString();
        out.getBuffer().setLength(0);
        assertThat(replay("--input", capture.toString(), "--policy", policy.toString(), "--parallelism", "2")).as(err.toString()).isZero();

        assertThat(fromArchive.lines().count()).isEqualTo(400 * 3 * 2);   // each shell move: unauthorized + bypass
        assertThat(fromArchive).isEqualTo(out.toString());
        assertThat(took).as("replay of 400 node files").isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void a_bad_line_is_an_input_error_naming_file_line_and_field() throws Exception {
        Path policy = Files.writeString(dir.resolve("candidate.yaml"), POLICY);
        Path input = capture(List.of(move("node-a", 0, T0, "/user.slice", "/system.slice/a.service").build()));
        Files.writeString(input, Files.readString(input) + Files.readString(input).replace("\"errno\":0", "\"errno\":true"));

        int exit = replay("--input", input.toString(), "--policy", policy.toString(), "--parallelism", "1");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains(input + ":2: field 'errno': expected an integer");
    }

    @Test
    void an_invalid_policy_file_is_an_input_error_naming_file_and_line() throws Exception {
        Path policy = Files.writeString(dir.resolve("bad.yaml"), POLICY.replace("kind: allowlist", "kind: allowlsit"));
        Path input = capture(List.of(move("node-a", 0, T0, "/user.slice", "/system.slice/a.service").build()));

        assertThat(replay("--input", input.toString(), "--policy", policy.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("bad.yaml:");
    }
}
