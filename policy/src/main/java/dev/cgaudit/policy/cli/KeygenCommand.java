package dev.cgaudit.policy.cli;

import dev.cgaudit.policy.command.KeyFiles;
import dev.cgaudit.policy.command.KeyFingerprint;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.KeyPair;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Make an operator key pair (Ed25519): DIR/NAME.key (PKCS#8 PEM, mode 0600)",
                "and DIR/NAME.pub (X.509 PEM). Sign with NAME.key (--key or $CGAUDIT_KEY);",
                "copy NAME.pub into the trust directory of every reader of cgaudit.policy."})
final class KeygenCommand extends PolicySubcommand {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the key files (created if missing).")
    Path out;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Base name of the files, e.g. your user name.")
    String name;

    @Override
    int run() throws CliFailure {
        if (!name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
            throw new CliFailure(PolicyCli.USAGE, "--name must be a plain file name ([A-Za-z0-9._-], not starting with '.'), found '" + name + "'");
        }
        KeyPair pair = KeyFiles.generate();
        try {
            KeyFiles.write(pair, out, name);
        } catch (FileAlreadyExistsException e) {
            throw new CliFailure(PolicyCli.USAGE, e.getFile() + " already exists; refusing to overwrite a key", e);
        } catch (IOException e) {
            throw new CliFailure(PolicyCli.USAGE, "cannot write the key files in " + out + ": " + e, e);
        }
        out().println("private key: " + out.resolve(name + KeyFiles.PRIVATE_SUFFIX) + " (keep it secret; mode 0600)");
        out().println("public key:  " + out.resolve(name + KeyFiles.PUBLIC_SUFFIX));
        out().println("key id:      " + KeyFingerprint.of(pair.getPublic()));
        out().println("next: copy " + name + KeyFiles.PUBLIC_SUFFIX + " into the trust directory (--trust, $CGAUDIT_TRUST or"
                + " ~/.config/cgaudit/trust) of every machine that reads cgaudit.policy");
        return PolicyCli.OK;
    }
}
