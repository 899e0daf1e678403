package dev.cgaudit.collector.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnforcerStateFileTest {

    @TempDir
    Path dir;

    private static final ControlledFile PROCS = new ControlledFile("/t/dst", ControlledFile.PROCS, 4711,
            new FileOwnership(65534, 65534, 0644));
    private static final ControlledFile THREADS = new ControlledFile("/t/dst/inner", ControlledFile.THREADS, 4712,
            new FileOwnership(0, 100, 0664));

    @Test
    void noFileMeansNothingUnderControl() throws Exception {
        assertThat(new EnforcerStateFile(dir).load()).isEmpty();
    }

    @Test
    void whatIsSavedIsLoadedExactly() throws Exception {
        EnforcerStateFile state = new EnforcerStateFile(dir);
        state.save(List.of(PROCS, THREADS));

        assertThat(new EnforcerStateFile(dir).load()).containsExactly(PROCS, THREADS);
        assertThat(Files.readString(state.path())).contains("\"mode\" : \"0664\"").contains("\"cgroup\" : \"/t/dst/inner\"");
        assertThat(dir.resolve(EnforcerStateFile.NAME + ".tmp")).doesNotExist();
    }

    @Test
    void aCrashWhileWritingLeavesThePreviousStateReadable() throws Exception {
        EnforcerStateFile state = new EnforcerStateFile(dir);
        state.save(List.of(PROCS));
        // What a crash between writing the temporary file and renaming it leaves behind: a torn temporary.
        Files.writeString(dir.resolve(EnforcerStateFile.NAME + ".tmp"), "{\"format\":1,\"files\":[{\"cgroup\":\"/t", StandardCharsets.UTF_8);

        assertThat(new EnforcerStateFile(dir).load()).containsExactly(PROCS);
        state.save(List.of(PROCS, THREADS));
        assertThat(new EnforcerStateFile(dir).load()).containsExactly(PROCS, THREADS);
    }

    @Test
    void aDamagedStateFileIsATypedErrorNamingTheFile() throws Exception {
        Files.writeString(dir.resolve(EnforcerStateFile.NAME), "{\"format\":1,\"files\":[{\"cgro", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> new EnforcerStateFile(dir).load())
                .isInstanceOf(EnforcerStateException.class)
                .hasMessageContaining(dir.resolve(EnforcerStateFile.NAME).toString())
                .hasMessageContaining("original ownership of the files it lists is unknown");
    }

    @Test
    void aRecordNamingAPathOutsideTheMountIsRefused() throws Exception {
        Files.writeString(dir.resolve(EnforcerStateFile.NAME), "{\"format\":1,\"files\":[{\"cgroup\":\"/a/../../etc\","
                + "\"file\":\"cgroup.procs\",\"cgroupId\":1,\"uid\":0,\"gid\":0,\"mode\":\"0644\"}]}", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> new EnforcerStateFile(dir).load())
                .isInstanceOf(EnforcerStateException.class)
                .hasMessageContaining("is invalid");
    }
}
