package dev.cgaudit.policy.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The trust store option of every command that reads (and so verifies) the policy log. */
final class TrustOption {

    @Option(names = "--trust", paramLabel = "DIR",
            description = "Directory of trusted operator public keys (*.pub) (default: $CGAUDIT_TRUST, else ~/.config/cgaudit/trust).")
    Path trust;
}
