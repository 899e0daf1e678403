package dev.cgaudit.policy.cli;

import picocli.CommandLine.Option;

/**
 * {@code --bootstrap}, mixed into every cgaudit command that talks to Kafka, so the option and its
 * fallback ($CGAUDIT_BOOTSTRAP, else localhost:9092) read and behave the same in all of them.
 */
public final class KafkaConnection {

    @Option(names = "--bootstrap", paramLabel = "H:P",
            description = "Kafka bootstrap servers (default: $CGAUDIT_BOOTSTRAP, else " + CliEnvironment.DEFAULT_BOOTSTRAP + ").")
    String bootstrap;

    /** --bootstrap, else $CGAUDIT_BOOTSTRAP, else localhost:9092. */
    public String servers() {
        return servers(CliEnvironment.system());
    }

    String servers(CliEnvironment env) {
        return env.bootstrap(bootstrap);
    }
}
