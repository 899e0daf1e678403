package dev.cgaudit.policy.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * What the policy commands take from their surroundings: environment variables (for defaults),
 * the home directory and the clock. Injected, so tests run the real commands without touching
 * the real environment.
 */
public record CliEnvironment(Map<String, String> variables, Path home, Clock clock) {

    public static final String DEFAULT_BOOTSTRAP = "localhost:9092";

    public CliEnvironment {
        variables = Map.copyOf(variables);
    }

    /** $HOME when set (as shells and other tools honour it), else the JVM's idea of the home directory. */
    public static CliEnvironment system() {
        String home = Optional.ofNullable(System.getenv("HOME")).filter(h -> !h.isBlank())
                .orElse(System.getProperty("user.home"));
        return new CliEnvironment(System.getenv(), Path.of(home), Clock.systemUTC());
    }

    String bootstrap(String option) {
        return option != null ? option : variable("CGAUDIT_BOOTSTRAP").orElse(DEFAULT_BOOTSTRAP);
    }

    Path key(Path option) {
        return option != null ? option
                : variable("CGAUDIT_KEY").map(Path::of).orElse(home.resolve(".config/cgaudit/operator.key"));
    }

    Path trust(Path option) {
        return option != null ? option
                : variable("CGAUDIT_TRUST").map(Path::of).orElse(home.resolve(".config/cgaudit/trust"));
    }

    /** --author, else $USER, else the account name (cron jobs and containers often have no $USER). */
    Optional<String> author(String option) {
        if (option != null) {
            return Optional.of(option).filter(a -> !a.isBlank());
        }
        return variable("USER").or(() -> Optional.ofNullable(System.getProperty("user.name")).filter(u -> !u.isBlank()));
    }

    private Optional<String> variable(String name) {
        return Optional.ofNullable(variables.get(name)).filter(v -> !v.isBlank());
    }
}
