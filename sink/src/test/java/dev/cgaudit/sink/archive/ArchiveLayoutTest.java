package dev.cgaudit.sink.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveLayoutTest {

    @TempDir
    Path dir;

    @Test
    void theDateIsTheDecisionsOwnUtcDay() {
        assertThat(ArchiveLayout.bucket(Instant.parse("2026-11-28T23:59:59.999999Z"), "n1")).isEqualTo("date=2026-11-28/node=n1");
        assertThat(ArchiveLayout.bucket(Instant.parse("2026-11-29T00:00:00Z"), "n1")).isEqualTo("date=2026-11-29/node=n1");
    }

    @Test
    void nodeNamesBecomeSafeFolderNames() {
        assertThat(ArchiveLayout.encodeNode("ip-10-0-1-7.eu-west-1.compute.internal"))
                .isEqualTo("ip-10-0-1-7.eu-west-1.compute.internal");
        assertThat(ArchiveLayout.encodeNode("a/b c")).isEqualTo("a%2Fb%20c");
        assertThat(ArchiveLayout.encodeNode("ü")).isEqualTo("%C3%BC");
        assertThat(ArchiveLayout.encodeNode("..")).isEqualTo("%2E.");
        assertThat(ArchiveLayout.encodeNode("_x")).isEqualTo("%5Fx");
    }

    @Test
    void readersSeeOnlyFinishedAvroFiles() throws Exception {
        Path bucket = Files.createDirectories(dir.resolve("date=2026-11-28/node=n1"));
        Files.writeString(bucket.resolve("decisions-1-0.avro"), "x");
        Files.writeString(bucket.resolve(".decisions-1-1.avro.inprogress.5f0c"), "x");
        Files.writeString(bucket.resolve("notes.txt"), "x");
        Files.createDirectories(dir.resolve("_checkpoints/job/chk-3"));
        Files.writeString(dir.resolve("_checkpoints/job/chk-3/state.avro"), "x");

        assertThat(ArchiveLayout.finishedFiles(dir)).containsExactly(bucket.resolve("decisions-1-0.avro"));
    }

    @Test
    void theNewestCompleteCheckpointIsResumedFrom() throws Exception {
        Path checkpoints = dir.resolve(LocalArchive.CHECKPOINTS);
        Path older = Files.createDirectories(checkpoints.resolve("job1/chk-9"));
        Path newer = Files.createDirectories(checkpoints.resolve("job2/chk-2"));
        Files.createDirectories(checkpoints.resolve("job2/chk-3")); // no _metadata: not complete
        Files.writeString(older.resolve("_metadata"), "m");
        Files.writeString(newer.resolve("_metadata"), "m");
        Files.setLastModifiedTime(older.resolve("_metadata"), FileTime.fromMillis(1_000));
        Files.setLastModifiedTime(newer.resolve("_metadata"), FileTime.fromMillis(2_000));

        assertThat(LocalArchive.latestCheckpoint(checkpoints)).contains(newer);
        assertThat(LocalArchive.latestCheckpoint(dir.resolve("none"))).isEmpty();
    }
}
