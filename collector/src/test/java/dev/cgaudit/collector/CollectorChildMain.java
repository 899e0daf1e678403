package dev.cgaudit.collector;

import dev.cgaudit.collector.publish.SpoolConfig;
import dev.cgaudit.collector.source.GeneratedSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** A collector in its own JVM, so a test can kill it for real. Args: bootstrap spoolDir mount node. */
public final class CollectorChildMain {

    private CollectorChildMain() {
    }

    public static void main(String[] args) throws Exception {
        String node = args[3];
        Path mount = Path.of(args[2]);
        CollectorConfig config = new CollectorConfig(args[0], node,
                new SpoolConfig(Path.of(args[1]), 64L << 20, 1L << 20, SpoolConfig.Fsync.INTERVAL, Duration.ofSeconds(1)),
                CollectorConfig.Sink.KAFKA, Optional.empty(), Optional.empty(), Duration.ofSeconds(1), Optional.empty());
        Collector collector = new Collector(config, "boot-1");
        Runtime.getRuntime().addShutdownHook(new Thread(collector::stop));
        collector.run((nextSeq, metrics) -> GeneratedSource.unbounded(node, "boot-1", mount, nextSeq, metrics), new java.io.PrintWriter(System.out, true));
    }
}
