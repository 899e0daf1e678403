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

    public static CliEnvironment system() {
        return new CliEnvironment(System.getenv(), Path.of(System.getProperty("user.home")), Clock.systemUTC());
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

    Optional<String> author(String option) {
        return option != null ? Optional.of(option).filter(a -> !a.isBlank()) : variable("USER");
    }

    private Optional<String> variable(String name) {
        return Optional.ofNullable(variables.get(name)).filter(v -> !v.isBlank());
    }
}
