package dev.cgaudit.collector;

import dev.cgaudit.collector.cli.CollectorCli;
import picocli.CommandLine;

/** {@code cgaudit collector} in a JVM of its own (the launcher lives in deploy), so a test can kill it for real. */
public final class CollectorCliMain {

    private CollectorCliMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new CollectorCli()).execute(args));
    }
}
