package dev.cgaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

    @Test
    void thpFlagFollowsTheModeTheKernelIsIn() throws Exception {
        Path thpFlag = LAUNCHER.resolveSibling("thp-flag");
        Path dir = Files.createTempDirectory("thp");
        Map<String, String> expected = Map.of(
                "always [madvise] never", "-XX:+UseTransparentHugePages",
                "[always] madvise never", "-XX:+UseTransparentHugePages",
                "always madvise [never]", "");
        for (Map.Entry<String, String> mode : expected.entrySet()) {
            Path enabled = Files.writeString(dir.resolve("enabled"), mode.getKey() + "\n");
            Result r = run(Map.of("THP_ENABLED_FILE", enabled.toString()), thpFlag.toString());
            assertThat(r.exit).as(r.output).isZero();
            assertThat(r.output.strip()).as(mode.getKey()).isEqualTo(mode.getValue());
            Result off = run(Map.of("THP_ENABLED_FILE", enabled.toString(), "CGAUDIT_THP", "off"), thpFlag.toString());
            assertThat(off.output.strip()).as("CGAUDIT_THP=off, " + mode.getKey()).isEmpty();
        }
        Result missing = run(Map.of("THP_ENABLED_FILE", dir.resolve("absent").toString()), thpFlag.toString());
        assertThat(missing.exit).isZero();
        assertThat(missing.output.strip()).as("a kernel without THP").isEmpty();
        assertThat(run(Map.of(), thpFlag.toString(), "--bogus").exit).isEqualTo(2);
    }

    /** Against this machine's real kernel: the JVM gets huge pages exactly when the kernel offers them, and never warns. */
    @Test
    void launcherPutsTheHeapOnHugePagesWhereTheKernelOffersThem() throws Exception {
        Path sysfs = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        String mode = Files.isReadable(sysfs) ? Files.readString(sysfs) : "";
        boolean offered = mode.contains("[always]") || mode.contains("[madvise]");
        Result r = run(Map.of("CGAUDIT_JAVA_OPTS", "-XX:+PrintFlagsFinal"), LAUNCHER.toString(), "--version");
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).doesNotContain("transparent huge pages are not supported");
        assertThat(useThpFlag(r.output)).as("THP mode '%s'", mode.strip()).isEqualTo(offered);
        Result off = run(Map.of("CGAUDIT_JAVA_OPTS", "-XX:+PrintFlagsFinal", "CGAUDIT_THP", "off"), LAUNCHER.toString(), "--version");
        assertThat(useThpFlag(off.output)).as("CGAUDIT_THP=off").isFalse();
    }

    private static boolean useThpFlag(String printFlagsFinal) {
        return printFlagsFinal.lines().filter(l -> l.matches("\\s*bool\\s+UseTransparentHugePages\\s+=.*")).findFirst()
                .map(l -> l.contains("= true")).orElseThrow(() -> new AssertionError("no UseTransparentHugePages in " + printFlagsFinal));
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        return run(Map.of(), command);
    }

    private static Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
        builder.environment().remove("CGAUDIT_THP");
        builder.environment().remove("CGAUDIT_JAVA_OPTS");
        builder.environment().putAll(env);
        Process p = builder.start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("launcher finished").isTrue();
        return new Result(p.exitValue(), output);
    }
}
