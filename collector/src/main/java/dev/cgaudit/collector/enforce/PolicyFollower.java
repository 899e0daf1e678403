package dev.cgaudit.collector.enforce;

import dev.cgaudit.policy.command.CommandVerifier;
import dev.cgaudit.policy.command.PolicyLogEntry;
import dev.cgaudit.policy.command.PolicyState;
import dev.cgaudit.policy.command.RejectionReason;
import dev.cgaudit.policy.command.Verdict;
import dev.cgaudit.policy.kafka.TopicMissingException;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.PolicyCommandResult;
import dev.cgaudit.policy.kafka.PolicyTopic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code cgaudit.policy} for the enforcer: reads the log from the beginning, folds each
 * record into the {@link PolicyState} exactly as {@code PolicyHistory.replay} does (verified
 * against the trust store; unsigned, forged, stale commands are rejected with their reason), and
 * keeps consuming. Once it has caught up with the end of the log it hands the rules in enforce mode
 * to {@code onEnforceSet}, and again whenever that set changes (a mode switch, a new version, a
 * delete).
 *
 * <p>When the broker is unreachable it retries; the enforcer keeps what it was last given. After a
 * reconnection the log is folded afresh from the beginning.
 */
public final class PolicyFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyFollower.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration RETRY = Duration.ofSeconds(2);
    /** Results kept for the next StatusEvent; beyond that the oldest are dropped (and counted). */
    private static final int MAX_PENDING_RESULTS = 1000;

    private final String bootstrapServers;
    private final String topic;
    private final String clientId;
    private final CommandVerifier verifier;
    private final Consumer<List<EnforcedRule>> onEnforceSet;
    private final ConcurrentLinkedQueue<PolicyCommandResult> results = new ConcurrentLinkedQueue<>();
    private final AtomicLong resultsDropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean caughtUp;
    private volatile String problem = "not read yet";

    // confined to the follower thread
    private PolicyState state = PolicyState.empty();
    private List<String> handedOver;

    public PolicyFollower(String bootstrapServers, String topic, String clientId, CommandVerifier verifier,
            Consumer<List<EnforcedRule>> onEnforceSet) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.clientId = clientId;
        this.verifier = verifier;
        this.onEnforceSet = onEnforceSet;
        this.thread = new Thread(this::run, "cgaudit-policy");
        thread.setDaemon(true);
    }

    public PolicyFollower start() {
        thread.start();
        return this;
    }

    /** Whether the log was read up to its end at least once since the last (re)connection. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Why the policy is not being followed right now; null while it is. */
    public String problem() {
        return problem;
    }

    /** The commands handled since the previous call, accepted or rejected with the reason. */
    public List<PolicyCommandResult> drainResults() {
        List<PolicyCommandResult> drained = new ArrayList<>();
        for (PolicyCommandResult r; (r = results.poll()) != null; ) {
            drained.add(r);
        }
        long dropped = resultsDropped.getAndSet(0);
        if (dropped > 0) {
            LOG.warn("{} policy command results were not reported (more than {} between two status events)", dropped, MAX_PENDING_RESULTS);
        }
        return drained;
    }

    private void run() {
        while (running) {
            try {
                follow();
            } catch (WakeupException e) {
                return;
            } catch (KafkaException | TopicMissingException e) {
                caughtUp = false;
                problem = "cannot follow " + topic + " on " + bootstrapServers + ": " + e.getMessage();
                LOG.warn("{}; retrying in {}", problem, RETRY);
                LockSupport.parkNanos(RETRY.toNanos());
            } catch (RuntimeException e) {
                caughtUp = false;
                problem = "following " + topic + " failed: " + e;
                LOG.error("following {} failed; retrying in {}", topic, RETRY, e);
                LockSupport.parkNanos(RETRY.toNanos());
            }
        }
    }

    private void follow() throws TopicMissingException {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig())) {
            consumer = c;
            if (!running) {
                return;
            }
            List<PartitionInfo> infos = c.partitionsFor(topic, METADATA_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new TopicMissingException(topic, bootstrapServers);
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(partitions, METADATA_TIMEOUT));
            state = PolicyState.empty();
            boolean readToEnd = false;
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : c.poll(POLL)) {
                    fold(PolicyTopic.entry(record));
                }
                problem = null;
                if (!readToEnd && PolicyTopic.caughtUp(c, end)) {
                    readToEnd = true;
                    caughtUp = true;
                    LOG.info("policy read from {}: {} rule(s), {} in enforce mode", topic, state.rules().size(),
                            state.rules().stream().filter(EnforcedRule::inForce).count());
                }
                if (readToEnd) {
                    handOver();
                }
            }
        } finally {
            consumer = null;
        }
    }

    private void fold(PolicyLogEntry entry) {
        if (entry instanceof PolicyLogEntry.Undecodable bad) {
            report(bad.position(), bad.key() == null ? "" : bad.key(), 0, false, RejectionReason.UNDECODABLE + ": " + bad.problem());
            return;
        }
        PolicyLogEntry.Decoded decoded = (PolicyLogEntry.Decoded) entry;
        PolicyCommand command = decoded.command();
        if (!command.getRuleId().equals(decoded.key())) {
            report(command.getCommandId(), command.getRuleId(), command.getRuleVersion(), false, RejectionReason.KEY_MISMATCH
                    + ": record key '" + decoded.key() + "' is not the command's ruleId '" + command.getRuleId() + "'");
            return;
        }
        Verdict verdict = verifier.verify(command, state);
        if (verdict instanceof Verdict.Accepted accepted) {
            state = state.with(accepted.next());
            report(command.getCommandId(), command.getRuleId(), command.getRuleVersion(), true, null);
        } else {
            Verdict.Rejected rejected = (Verdict.Rejected) verdict;
            LOG.warn("policy command {} ({} {} v{}) at {} rejected: {}", command.getCommandId(), command.getType(),
                    command.getRuleId(), command.getRuleVersion(), decoded.position(), rejected);
            report(command.getCommandId(), command.getRuleId(), command.getRuleVersion(), false, rejected.toString());
        }
    }

    private void handOver() {
        List<EnforcedRule> enforce = state.rules().stream().filter(EnforcedRule::inForce).map(EnforcedRule::of).toList();
        // A rule's version changes with every accepted command, so id@version identifies the set.
        List<String> identity = enforce.stream().map(r -> r.id() + "@" + r.version()).toList();
        if (!identity.equals(handedOver)) {
            handedOver = identity;
            LOG.info("rules in enforce mode: {}", identity);
            onEnforceSet.accept(enforce);
        }
    }

    private void report(String commandId, String ruleId, long version, boolean accepted, String reason) {
        results.add(PolicyCommandResult.newBuilder().setCommandId(commandId).setRuleId(ruleId)
                .setRuleVersion(version).setAccepted(accepted).setReason(reason).build());
        while (results.size() > MAX_PENDING_RESULTS && results.poll() != null) {
            resultsDropped.incrementAndGet();
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Following the policy must never create the topic as a side effect.
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        return config;
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            try {
                c.wakeup();
            } catch (RuntimeException e) {
                // already closed by the follower thread
            }
        }
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
