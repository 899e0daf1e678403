package dev.cgaudit.collector.enforce;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.command.CommandSigner;
import dev.cgaudit.policy.command.KeyFiles;
import dev.cgaudit.policy.command.PolicyCommands;
import dev.cgaudit.policy.command.SigningKey;
import dev.cgaudit.policy.kafka.PolicyTopic;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.PolicyCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** An operator with a fresh key pair, publishing signed commands to cgaudit.policy as {@code cgaudit policy} does. */
final class PolicyOperator {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final PolicyTopic topic;
    private final PolicyCommands commands = new PolicyCommands("enforcer-it", Clock.systemUTC());
    private final CommandSigner signer;
    private final KeyPair pair = KeyFiles.generate();

    PolicyOperator(String bootstrap) {
        this.topic = new PolicyTopic(bootstrap);
        this.signer = new CommandSigner(SigningKey.of(pair));
    }

    /** Puts this operator's public key into a trust store folder, as an administrator would. */
    PolicyOperator trustedIn(Path trustDir, String name) throws Exception {
        Path keys = Files.createTempDirectory("cgaudit-keys");
        KeyFiles.write(pair, keys, name);
        Files.copy(keys.resolve(name + KeyFiles.PUBLIC_SUFFIX), trustDir.resolve(name + KeyFiles.PUBLIC_SUFFIX));
        return this;
    }

    PolicyCommand upsert(PolicyRule rule, long version) throws Exception {
        return publish(commands.upsert(rule, version, "enforcer IT"));
    }

    PolicyCommand setMode(PolicyRule rule, Mode mode, long version) throws Exception {
        return publish(commands.setMode(rule, mode, version, "enforcer IT: switch to " + mode));
    }

    private PolicyCommand publish(PolicyCommand unsigned) throws Exception {
        PolicyCommand signed = signer.sign(unsigned);
        topic.publish(List.of(signed), TIMEOUT);
        return signed;
    }
}
