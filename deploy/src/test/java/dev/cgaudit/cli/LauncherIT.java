package dev.cgaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the packaged launcher exactly as the README tells a user to: deploy/target/cgaudit/bin/cgaudit. */
class LauncherIT {

    private static final Path LAUNCHER = Path.of("target", "cgaudit", "bin", "cgaudit");

    @Test
    void launcherIsPackagedWithItsJarAndJvmFlags() {
        assertThat(LAUNCHER).isExecutable();
        assertThat(Path.of("target", "cgaudit", "lib", "cgaudit.jar")).isRegularFile();
        assertThat(Path.of("target", "cgaudit", "conf", "jvm-java17.args")).isRegularFile();
    }

    @Test
    void versionRunsThroughTheScript() throws Exception {
        Result r = run(LAUNCHER.toString(), "--version");
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("cgaudit 0.").contains("Flink 2.2");
    }

    @Test
    void helpRunsThroughTheScriptAndAnUnknownCommandExitsWithTwo() throws Exception {
        Result help = run(LAUNCHER.toString(), "--help");
        assertThat(help.exit).as(help.output).isZero();
        assertThat(help.output).contains("Usage: cgaudit");
        Result bad = run(LAUNCHER.toString(), "no-such-command");
        assertThat(bad.exit).isEqualTo(2);
    }

    @Test
    void sinkHelpRunsFromTheShadedJar() throws Exception {
        Result r = run(LAUNCHER.toString(), "sink", "--help");
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("Usage: cgaudit sink").contains("--to").contains("--archive");
        Result bad = run(LAUNCHER.toString(), "sink", "--to", "gopher://x");
        assertThat(bad.exit).as(bad.output).isEqualTo(2);
    }

    @Test
    void demoHelpRunsFromTheShadedJar() throws Exception {
        Result r = run(LAUNCHER.toString(), "demo", "--help");
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("Usage: cgaudit demo").contains("--duration").contains("--policy").contains("--source");
    }

    @Test
    void aMissingJarIsReportedClearly() throws Exception {
        Path home = Files.createTempDirectory("cgaudit-home");
        Files.createDirectories(home.resolve("bin"));
        Path script = Files.copy(LAUNCHER, home.resolve("bin").resolve("cgaudit"));
        Result r = run(script.toString(), "--version");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.output).contains("lib/cgaudit.jar is missing");
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("launcher finished").isTrue();
        return new Result(p.exitValue(), output);
    }
}
