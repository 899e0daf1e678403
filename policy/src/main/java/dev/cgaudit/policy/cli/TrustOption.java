package dev.cgaudit.policy.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --trust}, mixed into every cgaudit command that verifies policy commands. One default for
 * all of them: keys an operator trusts with {@code cgaudit policy} are the keys the collector and
 * the processor check against.
 */
public final class TrustOption {

    @Option(names = "--trust", paramLabel = "DIR",
            description = "Directory of trusted operator public keys (*.pub) that policy commands must be signed with"
                    + " (default: $CGAUDIT_TRUST, else ~/.config/cgaudit/trust).")
    Path trust;

    /** --trust, else $CGAUDIT_TRUST, else ~/.config/cgaudit/trust. */
    public Path directory() {
        return directory(CliEnvironment.system());
    }

    Path directory(CliEnvironment env) {
        return env.trust(trust);
    }
}
