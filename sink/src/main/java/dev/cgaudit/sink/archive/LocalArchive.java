package dev.cgaudit.sink.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the archive job in this JVM ({@code --flink local}) with its checkpoints kept in
 * {@code DIR/_checkpoints} and resumed from on the next start.
 *
 * <p>Why resume from our own checkpoint rather than from the offsets in Kafka: on a checkpoint's
 * completion the source commits its offsets and the file sink publishes its files, in no fixed
 * order. A process killed between the two would, restarted from Kafka's offsets, skip the
 * decisions of files that were never published. Restored from the checkpoint, the sink publishes
 * them and the source resumes exactly after them.
 */
public final class LocalArchive {

    private static final Logger LOG = LoggerFactory.getLogger(LocalArchive.class);
    /** Flink's bookkeeping lives beside the data; the leading '_' keeps readers out of it. */
    public static final String CHECKPOINTS = "_checkpoints";

    private LocalArchive() {
    }

    /** Runs until the JVM stops. */
    public static void run(String bootstrapServers, String groupId, Path dir, Duration checkpointInterval)
            throws Exception {
        Files.createDirectories(dir);
        Configuration conf = new Configuration();
        Path checkpoints = dir.toAbsolutePath().resolve(CHECKPOINTS);
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        Optional<Path> resume = latestCheckpoint(checkpoints);
        if (resume.isPresent()) {
            LOG.info("resuming the archive from {}", resume.get());
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, resume.get().toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        ArchiveJob.build(env, ArchiveJob.kafkaSource(bootstrapServers, groupId, false), ArchiveJob.fileSink(dir));
        env.execute("cgaudit archive");
    }

    /** The newest complete checkpoint ({@code chk-N} with a {@code _metadata} file) under {@code checkpoints}. */
    public static Optional<Path> latestCheckpoint(Path checkpoints) {
        if (!Files.isDirectory(checkpoints)) {
            return Optional.empty();
        }
        try (Stream<Path> walk = Files.walk(checkpoints, 3)) {
            return walk.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .filter(p -> p.getParent().getFileName().toString().startsWith("chk-"))
                    .max(Comparator.comparing(LocalArchive::modified))
                    .map(Path::getParent);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
