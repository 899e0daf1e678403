package dev.cgaudit.sink.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileDeliveryTest {

    @TempDir
    Path dir;

    /** A finding whose line is exactly 20 bytes with its line break. */
    private static Finding finding(int n) {
        return new Finding("v-" + n, String.format("{\"n\":%12d}", n));
    }

    @Test
    void rotatesBySizeKeepsNFilesAndNeverSplitsALine() throws Exception {
        Path path = dir.resolve("findings.jsonl");
        // 50 bytes: two 20-byte lines fit, the third rotates
        try (RotatingFileDelivery file = new RotatingFileDelivery(path, 50, 2)) {
            for (int n = 1; n <= 9; n++) {
                file.deliver(finding(n));
            }
            file.flush();

            assertThat(lines(path)).containsExactly(line(9));
            assertThat(lines(file.rotated(1))).containsExactly(line(7), line(8));
            assertThat(lines(file.rotated(2))).containsExactly(line(5), line(6));
            assertThat(file.rotated(3)).doesNotExist();
            assertThat(file.target()).isEqualTo("file:" + path.toAbsolutePath());
        }
    }

    @Test
    void aLineLargerThanTheLimitStillGoesOutWhole() throws Exception {
        Path path = dir.resolve("f.jsonl");
        try (RotatingFileDelivery file = new RotatingFileDelivery(path, 10, 1)) {
            file.deliver(finding(1));
            file.deliver(finding(2));
        }
        assertThat(lines(path)).containsExactly(line(2));
        assertThat(lines(dir.resolve("f.jsonl.1"))).containsExactly(line(1));
    }

    @Test
    void appendsAcrossRestartsAndEndsATornLine() throws Exception {
        Path path = dir.resolve("f.jsonl");
        Files.writeString(path, line(1) + "\n{\"n\":  torn", StandardCharsets.UTF_8);

        try (RotatingFileDelivery file = new RotatingFileDelivery(path, 1 << 20, 3)) {
            file.deliver(finding(2));
        }

        assertThat(lines(path)).containsExactly(line(1), "{\"n\":  torn", line(2));
    }

    private static String line(int n) {
        return finding(n).json();
    }

    private static List<String> lines(Path path) throws Exception {
        return new ArrayList<>(Files.readAllLines(path, StandardCharsets.UTF_8));
    }
}
