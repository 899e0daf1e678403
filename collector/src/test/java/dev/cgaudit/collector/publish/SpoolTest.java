package dev.cgaudit.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @TempDir
    Path dir;

    private SpoolConfig config(long max, long segment) {
        return new SpoolConfig(dir, max, segment, SpoolConfig.Fsync.NEVER, Duration.ofSeconds(1));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> readAll(Spool spool) throws IOException {
        List<String> out = new ArrayList<>();
        try (Spool.Reader reader = spool.reader()) {
            for (Optional<Spool.Entry> e = reader.next(); e.isPresent(); e = reader.next()) {
                out.add(new String(e.get().key(), StandardCharsets.UTF_8) + "=" + new String(e.get().value(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Test
    void recordsBecomeVisibleAtFlushInOrder() throws Exception {
        try (Spool spool = Spool.open(config(1 << 20, 4096))) {
            spool.append(bytes("n"), bytes("a"));
            spool.append(bytes("n"), bytes("b"));
            assertThat(readAll(spool)).isEmpty();
            spool.flush();
            assertThat(readAll(spool)).containsExactly("n=a", "n=b");
            assertThat(spool.depth()).isEqualTo(2);
        }
    }

    @Test
    void reopenResumesAfterTheCommittedRecordAndRemembersTheLastOne() throws Exception {
        try (Spool spool = Spool.open(config(1 << 20, 4096))) {
            for (int i = 0; i < 10; i++) {
                spool.append(bytes("n"), bytes("v" + i));
            }
            spool.flush();
            spool.commit(3);
        }
        try (Spool spool = Spool.open(config(1 << 20, 4096))) {
            assertThat(readAll(spool)).containsExactly("n=v4", "n=v5", "n=v6", "n=v7", "n=v8", "n=v9");
            assertThat(new String(spool.lastAtOpen().orElseThrow().value(), StandardCharsets.UTF_8)).isEqualTo("v9");
            assertThat(spool.depth()).isEqualTo(6);
            spool.append(bytes("n"), bytes("v10"));
            spool.flush();
            assertThat(readAll(spool)).last().isEqualTo("n=v10");
        }
    }

    @Test
    void aTornFrameAtTheTailIsCutOffAndCounted() throws Exception {
        try (Spool spool = Spool.open(config(1 << 20, 1 << 16))) {
            spool.append(bytes("n"), bytes("whole-1"));
            spool.append(bytes("n"), bytes("whole-2"));
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        long size = Files.size(segment);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(size - 3); // a crash in the middle of writing the second frame
        }
        try (Spool spool = Spool.open(config(1 << 20, 1 << 16))) {
            assertThat(spool.tornAtOpen()).isEqualTo(1);
            assertThat(readAll(spool)).containsExactly("n=whole-1");
            spool.append(bytes("n"), bytes("after"));
            spool.flush();
            assertThat(readAll(spool)).containsExactly("n=whole-1", "n=after");
        }
    }

    @Test
    void aCorruptedFrameFailsItsChecksumAtOpen() throws Exception {
        try (Spool spool = Spool.open(config(1 << 20, 1 << 16))) {
            spool.append(bytes("n"), bytes("first"));
            spool.append(bytes("n"), bytes("second"));
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        byte[] content = Files.readAllBytes(segment);
        content[content.length - 2] ^= 0x20;
        Files.write(segment, content);
        try (Spool spool = Spool.open(config(1 << 20, 1 << 16))) {
            assertThat(spool.tornAtOpen()).isEqualTo(1);
            assertThat(readAll(spool)).containsExactly("n=first");
        }
    }

    @Test
    void aFullSpoolRefusesAndCountsInsteadOfGrowing() throws Exception {
        try (Spool spool = Spool.open(config(8192, 4096))) {
            byte[] value = new byte[1000];
            int accepted = 0;
            for (int i = 0; i < 20; i++) {
                if (spool.append(bytes("n"), value)) {
                    accepted++;
                }
                spool.flush();
            }
            assertThat(accepted).isBetween(7, 8);
            assertThat(spool.dropped()).isEqualTo(20 - accepted);
            // Delivering frees whole segments, and the spool accepts again.
            spool.commit(spool.flushedIndex());
            spool.checkpoint();
            assertThat(spool.append(bytes("n"), value)).isTrue();
        }
    }

    @Test
    void segmentsRollAndDeliveredOnesAreDeletedWhileAReaderCrossesThem() throws Exception {
        try (Spool spool = Spool.open(config(1 << 20, 4096))) {
            try (Spool.Reader reader = spool.reader()) {
                List<String> seen = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    spool.append(bytes("n"), bytes(String.format("%04d-%s", i, "x".repeat(40))));
                    spool.flush();
                    if (i % 50 == 49) {
                        for (Optional<Spool.Entry> e = reader.next(); e.isPresent(); e = reader.next()) {
                            seen.add(new String(e.get().value(), StandardCharsets.UTF_8).substring(0, 4));
                            spool.commit(e.get().index());
                        }
                        spool.checkpoint();
                    }
                }
                assertThat(seen).hasSize(300);
                assertThat(seen.get(0)).isEqualTo("0000");
                assertThat(seen.get(299)).isEqualTo("0299");
            }
            long segments;
            try (Stream<Path> files = Files.list(dir)) {
                segments = files.filter(p -> p.toString().endsWith(".seg")).count();
            }
            assertThat(segments).isEqualTo(1);
            assertThat(spool.depth()).isZero();
        }
    }

    @Test
    void readerSeeksBackToTheFirstUndeliveredRecord() throws Exception {
        try (Spool spool = Spool.open(config(1 << 20, 4096))) {
            for (int i = 0; i < 100; i++) {
                spool.append(bytes("n"), bytes("v" + i + "-" + "y".repeat(60)));
            }
            spool.flush();
            spool.commit(41);
            try (Spool.Reader reader = spool.reader()) {
                assertThat(reader.next().orElseThrow().index()).isEqualTo(42);
                reader.next();
                reader.next();
                reader.seek(spool.committedIndex() + 1);
                Spool.Entry e = reader.next().orElseThrow();
                assertThat(e.index()).isEqualTo(42);
                assertThat(new String(e.value(), StandardCharsets.UTF_8)).startsWith("v42-");
            }
        }
    }

    @Test
    void aReaderThatKeepsUpIsHandedTheAppendedRecordsInMemory() throws Exception {
        try (Spool spool = Spool.open(config(1 << 20, 4096))) {
            byte[] key = bytes("n");
            List<byte[]> values = new ArrayList<>();
            try (Spool.Reader reader = spool.reader()) {
                for (int i = 0; i < 200; i++) {
                    byte[] value = bytes(String.format("%04d-%s", i, "z".repeat(40)));
                    values.add(value);
                    spool.append(key, value);
                    if (i % 10 == 9) {
                        spool.flush();
                        for (Optional<Spool.Entry> e = reader.next(); e.isPresent(); e = reader.next()) {
                            // the very array appended: not read back from the segment
                            assertThat(e.get().value()).isSameAs(values.get((int) e.get().index()));
                            spool.commit(e.get().index());
                        }
                        spool.checkpoint();
                    }
                }
            }
            assertThat(spool.depth()).isZero();
        }
    }

    @Test
    void aReaderFarBehindReadsTheSkippedRecordsFromDiskThenMemoryAgainGapFree() throws Exception {
        int size = 1000;
        int records = (int) (Spool.HANDOFF_MAX_BYTES / size) * 3 / 2; // half again what the handoff holds
        try (Spool spool = Spool.open(config(64L << 20, 1 << 20))) {
            byte[] key = bytes("n");
            List<byte[]> appended = new ArrayList<>();
            try (Spool.Reader reader = spool.reader()) {
                long fromMemory = 0;
                long expected = 0;
                for (int round = 0; round < 3; round++) {
                    // append far more than the handoff holds, without reading
                    for (int i = 0; i < records; i++) {
                        byte[] value = new byte[size];
                        ByteBuffer.wrap(value).putLong(appended.size());
                        appended.add(value);
                        spool.append(key, value);
                        if (i % 100 == 99) {
                            spool.flush();
                        }
                    }
                    spool.flush();
                    for (Optional<Spool.Entry> e = reader.next(); e.isPresent(); e = reader.next()) {
                        assertThat(e.get().index()).isEqualTo(expected);
                        assertThat(ByteBuffer.wrap(e.get().value()).getLong()).isEqualTo(expected);
                        if (e.get().value() == appended.get((int) expected)) {
                            fromMemory++;
                        }
                        expected++;
                        spool.commit(e.get().index());
                        if (expected % 5000 == 0) {
                            spool.checkpoint(); // delivered segments go while the reader is between disk and memory
                        }
                    }
                }
                assertThat(expected).isEqualTo(appended.size());
                assertThat(fromMemory).isPositive().isLessThan(appended.size());
            }
        }
    }

    @Test
    void aRewindAfterRecordsHandedInMemoryReadsThemAgainFromDisk() throws Exception {
        try (Spool spool = Spool.open(config(1 << 20, 4096))) {
            try (Spool.Reader reader = spool.reader()) {
                for (int i = 0; i < 100; i++) {
                    spool.append(bytes("n"), bytes("v" + i + "-" + "y".repeat(60)));
                }
                spool.flush();
                for (int i = 0; i < 80; i++) {
                    reader.next().orElseThrow();
                }
                spool.commit(41);
                reader.seek(spool.committedIndex() + 1);
                for (int i = 42; i < 100; i++) {
                    Spool.Entry e = reader.next().orElseThrow();
                    assertThat(e.index()).isEqualTo(i);
                    assertThat(new String(e.value(), StandardCharsets.UTF_8)).startsWith("v" + i + "-");
                }
                assertThat(reader.next()).isEmpty();
            }
        }
    }
}
