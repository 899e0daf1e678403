package dev.cgaudit.policy.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of every command that publishes signed commands. */
final class SignerOptions {

    @Option(names = "--key", paramLabel = "FILE",
            description = "Operator private key, PKCS#8 PEM; its NAME.pub must be beside it (default: $CGAUDIT_KEY, else ~/.config/cgaudit/operator.key).")
    Path key;

    @Option(names = "--author", paramLabel = "NAME", description = "Who issues the commands (default: $USER).")
    String author;
}
