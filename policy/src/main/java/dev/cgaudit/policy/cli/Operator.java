package dev.cgaudit.policy.cli;

import dev.cgaudit.policy.command.CommandSigner;
import dev.cgaudit.policy.command.CommandVerifier;
import dev.cgaudit.policy.command.InvalidKeyFileException;
import dev.cgaudit.policy.command.PolicyCommands;
import dev.cgaudit.policy.command.PolicyState;
import dev.cgaudit.policy.command.RejectionReason;
import dev.cgaudit.policy.command.SigningKey;
import dev.cgaudit.policy.command.Verdict;
import dev.cgaudit.schema.PolicyCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The operator issuing commands: their name, their key, and the commands they sign. */
final class Operator {

    private final PolicyCommands commands;
    private final CommandSigner signer;
    private final Path keyFile;

    private Operator(PolicyCommands commands, CommandSigner signer, Path keyFile) {
        this.commands = commands;
        this.signer = signer;
        this.keyFile = keyFile;
    }

    static Operator load(CliEnvironment env, SignerOptions options) throws CliFailure {
        String author = env.author(options.author).orElseThrow(() ->
                new CliFailure(PolicyCli.USAGE, "no author: pass --author NAME (or set $USER)"));
        Path keyFile = env.key(options.key);
        SigningKey key;
        try {
            key = SigningKey.load(keyFile);
        } catch (IOException | InvalidKeyFileException e) {
            throw new CliFailure(PolicyCli.USAGE, "signing key: " + PolicyLogClient.describe(e), e);
        }
        return new Operator(new PolicyCommands(author, env.clock()), new CommandSigner(key), keyFile);
    }

    PolicyCommands commands() {
        return commands;
    }

    String keyId() {
        return signer.keyId();
    }

    /**
     * Signs the commands and checks them as every consumer will, against the state they apply to:
     * publishing a command the trust store would reject helps nobody, so that fails here instead.
     */
    List<PolicyCommand> signAndCheck(List<PolicyCommand> unsigned, PolicyState state, PolicyLogClient log) throws CliFailure {
        CommandVerifier verifier = log.verifier();
        List<PolicyCommand> signed = new ArrayList<>();
        PolicyState next = state;
        for (PolicyCommand command : unsigned) {
            PolicyCommand s = signer.sign(command);
            Verdict verdict = verifier.verify(s, next);
            if (verdict instanceof Verdict.Rejected rejected) {
                if (rejected.reason() == RejectionReason.UNKNOWN_KEY) {
                    throw new CliFailure(PolicyCli.USAGE, "the signing key " + keyFile + " (key id " + signer.keyId()
                            + ") is not in the trust store " + log.trustDir() + ", so every consumer would reject these commands;"
                            + " copy its .pub file there (and to the processors' and collectors' trust stores)");
                }
                throw new CliFailure(PolicyCli.USAGE, command.getType() + " " + command.getRuleId() + " would be rejected: " + rejected);
            }
            next = next.with(((Verdict.Accepted) verdict).next());
            signed.add(s);
        }
        return signed;
    }
}
