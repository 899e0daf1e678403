package dev.cgaudit.policy.cli;

import dev.cgaudit.policy.command.CommandVerifier;
import dev.cgaudit.policy.command.InvalidKeyFileException;
import dev.cgaudit.policy.command.PolicyHistory;
import dev.cgaudit.policy.command.TrustStore;
import dev.cgaudit.policy.kafka.PolicyTopic;
import dev.cgaudit.policy.kafka.PublishException;
import dev.cgaudit.policy.kafka.TopicMissingException;
import dev.cgaudit.schema.PolicyCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/** The policy log as the CLI uses it: read and verified against the trust store, and published to. */
final class PolicyLogClient {

    private final PolicyTopic topic;
    private final Duration timeout;
    private final Path trustDir;
    private final TrustStore trust;

    private PolicyLogClient(PolicyTopic topic, Duration timeout, Path trustDir, TrustStore trust) {
        this.topic = topic;
        this.timeout = timeout;
        this.trustDir = trustDir;
        this.trust = trust;
    }

    static PolicyLogClient open(CliEnvironment env, KafkaOptions kafka, TrustOption trustOption) throws CliFailure {
        Path trustDir = trustOption.directory(env);
        TrustStore trust;
        try {
            trust = TrustStore.load(trustDir);
        } catch (IOException | InvalidKeyFileException e) {
            throw new CliFailure(PolicyCli.USAGE, "trust store " + trustDir + ": " + describe(e), e);
        }
        return new PolicyLogClient(new PolicyTopic(kafka.connection.servers(env), kafka.topic, Map.of()), kafka.timeout, trustDir, trust);
    }

    Path trustDir() {
        return trustDir;
    }

    TrustStore trust() {
        return trust;
    }

    CommandVerifier verifier() {
        return new CommandVerifier(trust);
    }

    PolicyHistory history() throws CliFailure {
        try {
            return PolicyHistory.replay(topic.readAll(timeout), verifier());
        } catch (TopicMissingException e) {
            throw new CliFailure(PolicyCli.USAGE, e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new CliFailure(PolicyCli.USAGE, e.getMessage(), e);
        }
    }

    void publish(List<PolicyCommand> commands) throws CliFailure {
        try {
            topic.publish(commands, timeout);
        } catch (PublishException | TimeoutException e) {
            throw new CliFailure(PolicyCli.USAGE, "publishing to " + topic.topic() + " failed: " + e.getMessage(), e);
        }
    }

    String topicName() {
        return topic.topic();
    }

    static String describe(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException missing) {
            return missing.getReason() == null ? "no such file " + missing.getFile() : missing.getFile() + ": " + missing.getReason();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
