package dev.cgaudit.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cgaudit.collector.enforce.FileOwnership;
import dev.cgaudit.schema.ViolationKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cgaudit demo} end to end, in this JVM: real broker, MiniCluster, collector and sink. The
 * kernel run needs root and BPF (skipped, naming what is missing, elsewhere); the trace run needs
 * nothing and forces the fallback with {@code --source trace}.
 */
class DemoIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path output;

    @Test
    @Timeout(150)
    void onTheKernelEveryKindTheWorkloadProvokesArrivesAndNothingIsLeftBehind() throws Exception {
        SourceChoice choice = SourceChoice.probe();
        assumeTrue(choice.kernel(), () -> "the kernel cannot be used here: " + String.join("; ", choice.missing()));
        Path mount = choice.mount().orElseThrow();
        FileOwnership mountProcs = FileOwnership.read(mount.resolve("cgroup.procs"));
        StringWriter printed = new StringWriter();

        Demo.Result result = new Demo(new DemoSettings(Duration.ofSeconds(85), Optional.empty(), output,
                DemoSettings.Source.BPF, Optional.empty()), new PrintWriter(printed, true), false).run();

        assertThat(result.kernel()).isTrue();
        assertThat(kindsIn(result.findingsFile())).as("findings file; the demo printed:%n%s", printed)
                .containsAll(DemoSummary.expected(true).keySet());
        assertThat(result.findings()).containsAllEntriesOf(DemoSummary.expected(true));
        assertThat(result.cleanupProblems()).as("the enforcer restored every file itself").isEmpty();
        try (Stream<Path> left = Files.list(mount)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.equals("cgaudit-demo-" + ProcessHandle.current().pid()));
        }
        assertThat(FileOwnership.read(mount.resolve("cgroup.procs"))).isEqualTo(mountProcs);
        assertThat(Files.readString(output.resolve("spool").resolve("enforcer-state.json"))).doesNotContain("\"cgroup\"");
        assertThat(printed.toString()).contains("Cleanup: cgroup.procs/cgroup.threads of the scratch tree were back as before",
                "Cleanup: removed");
    }

    @Test
    @Timeout(150)
    void withoutTheKernelTheRecordedTraceStillRaisesFindings() throws Exception {
        StringWriter printed = new StringWriter();

        Demo.Result result = new Demo(new DemoSettings(Duration.ofSeconds(85), Optional.empty(), output,
                DemoSettings.Source.TRACE, Optional.empty()), new PrintWriter(printed, true), false).run();

        assertThat(result.kernel()).isFalse();
        assertThat(printed.toString()).contains("the bundled recorded trace", "the kernel is not used: --source trace");
        assertThat(kindsIn(result.findingsFile())).as("findings file; the demo printed:%n%s", printed)
                .containsAll(DemoSummary.expected(false).keySet())
                .doesNotContain(ViolationKind.ENFORCEMENT_DEGRADED, ViolationKind.COLLECTOR_LOSS);
    }

    /** The kinds of the OCSF Detection Findings in the file (class 2004, one JSON object a line). */
    private static List<ViolationKind> kindsIn(Path findings) throws IOException {
        List<ViolationKind> kinds = new ArrayList<>();
        for (String line : Files.readAllLines(findings)) {
            JsonNode f = JSON.readTree(line);
            assertThat(f.path("class_uid").asInt()).isEqualTo(2004);
            kinds.add(ViolationKind.valueOf(f.path("finding_info").path("types").path(0).asText()));
        }
        return kinds;
    }
}
