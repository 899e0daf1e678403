package dev.cgaudit.processor.cli;

import java.nio.file.Path;

/** The defaults every cgaudit command shares: $CGAUDIT_BOOTSTRAP, $CGAUDIT_TRUST (as `cgaudit policy`). */
final class CliDefaults {

    static final String BOOTSTRAP = "localhost:9092";

    private CliDefaults() {
    }

    static String bootstrap(String option) {
        if (option != null) {
            return option;
        }
        String env = System.getenv("CGAUDIT_BOOTSTRAP");
        return env == null || env.isBlank() ? BOOTSTRAP : env;
    }

    static Path trust(Path option) {
        if (option != null) {
            return option;
        }
        String env = System.getenv("CGAUDIT_TRUST");
        return env == null || env.isBlank() ? Path.of(System.getProperty("user.home"), ".config/cgaudit/trust") : Path.of(env);
    }
}
