package dev.cgaudit.collector.enforce;

import static dev.cgaudit.collector.enforce.DelegatedTree.DELEGATE;
import static dev.cgaudit.collector.enforce.DelegatedTree.DELEGATED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cgaudit.collector.Cgroup2Mount;
import dev.cgaudit.collector.Collector;
import dev.cgaudit.collector.CollectorCliMain;
import dev.cgaudit.collector.CollectorConfig;
import dev.cgaudit.collector.enforce.DelegatedTree.Run;
import dev.cgaudit.collector.enrich.BootId;
import dev.cgaudit.collector.publish.SpoolConfig;
import dev.cgaudit.collector.source.BpfSourceFactory;
import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.RuleMatcher;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Capability;
import dev.cgaudit.schema.Direction;
import dev.cgaudit.schema.Enforcement;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.PolicyCommandResult;
import dev.cgaudit.schema.RuleKind;
import dev.cgaudit.schema.Severity;
import dev.cgaudit.schema.StatusEvent;
import dev.cgaudit.testing.KafkaBrokerExtension;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enforce mode on the real kernel with the dac backend, driven by signed commands on a real
 * broker, as the issue states it: a rule in audit lets an unprivileged writer move a process into
 * the protected subtree (a violation); after {@code set-mode enforce} the kernel refuses the same
 * move and the decision says which rule did it, while the writer the rule allows still succeeds;
 * after {@code set-mode audit} every file is back exactly; and a collector killed with SIGKILL while
 * enforcing, then restarted, brings the node back to what the policy says.
 *
 * <p>Needs root (BPF capture, chown), the cgroup2 mount, kernel BTF and setpriv; skipped, naming
 * what is missing, elsewhere.
 */
class DacEnforcementIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    /** The writer the rules allow: not the delegate, but in the delegate's group (for the common ancestor). */
    private static final long ALLOWED = 65533;
    private static final Duration CHANGE = Duration.ofSeconds(30);

    @TempDir
    Path spool;

    @TempDir
    Path trust;

    private DelegatedTree tree;
    private Process sleeper;
    private PolicyOperator operator;

    @BeforeEach
    void bed() throws Exception {
        assumeTrue(ProcessIdentity.effectiveUid() == 0, "not root: BPF capture and chown of cgroup files need root");
        assumeTrue(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")), "no kernel BTF (/sys/kernel/btf/vmlinux)");
        Optional<Path> mount = Cgroup2Mount.find();
        assumeTrue(mount.isPresent(), "no cgroup2 mount in /proc/self/mountinfo");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "no /usr/bin/setpriv to run writers as other uids");
        tree = new DelegatedTree(mount.get(), "cgaudit-enforce-it");
        // The process that gets moved: the delegate's own, sitting in src.
        sleeper = new ProcessBuilder("setpriv", "--reuid=" + DELEGATE, "--regid=" + DELEGATE, "--clear-groups",
                "sleep", "600").start();
        DelegatedTree.moveAsRoot(sleeper.pid(), tree.src());
        operator = new PolicyOperator(KAFKA.bootstrapServers()).trustedIn(trust, "it-operator");
    }

    @AfterEach
    void clean() throws Exception {
        if (sleeper != null) {
            sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (tree != null) {
            tree.close();
        }
    }

    /** Only {@link #ALLOWED} moves processes into dst. */
    private PolicyRule rule(String id, Mode mode) {
        return PolicyRule.builder(id, RuleKind.ALLOWLIST, tree.kernelPath(tree.dst()))
                .description("only uid " + ALLOWED + " moves processes into the test's dst")
                .direction(Direction.INTO).mode(mode).severity(Severity.HIGH)
                .allow(AllowEntry.builder().uid(ALLOWED).build())
                .build();
    }

    private static FileOwnership enforcedFile() {
        return new FileOwnership(ALLOWED, DELEGATE, 0644);
    }

    @Test
    void auditThenEnforceThenAuditOnTheRealKernel() throws Exception {
        String node = "enforce-it-node";
        PolicyRule audit = rule("dst-managers", Mode.AUDIT);
        Map<String, FileOwnership> originals = tree.files();
        operator.upsert(audit, 1);
        RunningCollector collector = RunningCollector.start(node, spool, trust);
        try (TopicWatcher<AttachDecision> decisions = TopicWatcher.decisions(KAFKA, node);
             TopicWatcher<StatusEvent> status = TopicWatcher.status(KAFKA, node)) {

            // audit: the delegate's move succeeds; it is a violation of the rule, not a denial
            Run moved = Run.move(DELEGATE, DELEGATE, sleeper.pid(), tree.dst());
            assertThat(moved.exit()).as("move in audit mode: %s", moved.stderr()).isZero();
            AttachDecision allowed = decisionOf(decisions, moved);
            assertThat(allowed.getOutcome()).isEqualTo(Outcome.ALLOWED);
            assertThat(allowed.getEnforcement()).isNull();
            assertThat(new RuleMatcher().evaluate(audit, allowed).violated()).isTrue();
            assertThat(tree.files()).isEqualTo(originals);
            DelegatedTree.moveAsRoot(sleeper.pid(), tree.src());

            // enforce: the files of dst and below belong to the allowed writer; the delegate is refused
            PolicyCommand toEnforce = operator.setMode(audit, Mode.ENFORCE, 2);
            await().atMost(CHANGE).until(() -> tree.dstFiles().values().stream().allMatch(enforcedFile()::equals));
            assertThat(tree.files().get("cgroup.procs")).as("the common ancestor is not in the subtree").isEqualTo(
                    originals.get("cgroup.procs"));
            Run refused = Run.move(DELEGATE, DELEGATE, sleeper.pid(), tree.dst());
            assertThat(refused.exit()).isNotZero();
            assertThat(refused.stderr()).contains("Permission denied");
            AttachDecision denied = decisionOf(decisions, refused);
            assertThat(denied.getOutcome()).isEqualTo(Outcome.DENIED);
            assertThat(denied.getErrnoName()).isEqualTo("EACCES");
            assertThat(denied.getDestination().getPath()).isEqualTo(tree.kernelPath(tree.dst()));
            assertThat(denied.getEnforcement()).isEqualTo(Enforcement.newBuilder()
                    .setRuleId("dst-managers").setRuleVersion(2).setBackend("dac").build());

            Run permitted = Run.move(ALLOWED, DELEGATE, sleeper.pid(), tree.dst());
            assertThat(permitted.exit()).as("the allowed writer's move: %s", permitted.stderr()).isZero();
            AttachDecision allowedWriter = decisionOf(decisions, permitted);
            assertThat(allowedWriter.getOutcome()).isEqualTo(Outcome.ALLOWED);
            assertThat(allowedWriter.getEnforcement()).isNull();
            DelegatedTree.moveAsRoot(sleeper.pid(), tree.src());

            // a cgroup the delegate makes inside dst while enforcing is taken at the next rescan
            Path late = tree.mkdirAsDelegate("dst/late");
            await().atMost(CHANGE).until(() -> FileOwnership.read(late.resolve(ControlledFile.PROCS)).equals(enforcedFile()));

            await().atMost(CHANGE).untilAsserted(() -> assertThat(status.latest()).hasValueSatisfying(s ->
                    assertEnforcingStatus(s, "dst-managers", 2)));
            assertThat(status.all()).flatMap(StatusEvent::getPolicyCommands)
                    .extracting(PolicyCommandResult::getCommandId, PolicyCommandResult::getAccepted)
                    .contains(tuple(toEnforce.getCommandId(), true));

            // a command nobody trusts changes nothing and is reported with its reason
            PolicyOperator mallory = new PolicyOperator(KAFKA.bootstrapServers());
            PolicyCommand forged = mallory.setMode(audit, Mode.AUDIT, 3);
            await().atMost(CHANGE).untilAsserted(() -> assertThat(status.all()).flatMap(StatusEvent::getPolicyCommands)
                    .filteredOn(r -> r.getCommandId().equals(forged.getCommandId()))
                    .singleElement().satisfies(r -> {
                        assertThat(r.getAccepted()).isFalse();
                        assertThat(r.getReason()).startsWith("UNKNOWN_KEY");
                    }));
            assertThat(tree.dstFiles().values()).allMatch(enforcedFile()::equals);

            // audit again: every file back exactly, including the one made while enforcing
            operator.setMode(audit.withMode(Mode.ENFORCE), Mode.AUDIT, 3);
            Map<String, FileOwnership> expected = new TreeMap<>(originals);
            expected.put("dst/late/cgroup.procs", DELEGATED);
            expected.put("dst/late/cgroup.threads", DELEGATED);
            await().atMost(CHANGE).untilAsserted(() -> assertThat(tree.files()).isEqualTo(expected));
            Run again = Run.move(DELEGATE, DELEGATE, sleeper.pid(), tree.dst());
            assertThat(again.exit()).as("the delegate's move after returning to audit: %s", again.stderr()).isZero();
            assertThat(Files.readString(spool.resolve(EnforcerStateFile.NAME))).doesNotContain("\"cgroup\"");
        } finally {
            collector.stop();
        }
    }

    @Test
    void aCollectorKilledWhileEnforcingBringsTheNodeBackToThePolicyWhenRestarted() throws Exception {
        String node = "enforce-kill-node";
        PolicyRule enforce = rule("dst-kill", Mode.ENFORCE);
        Map<String, FileOwnership> originals = tree.files();
        operator.upsert(enforce, 1);

        Process first = startChild(node);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> tree.dstFiles().values().stream().allMatch(enforcedFile()::equals));
        } finally {
            kill(first);
        }
        assertThat(tree.dstFiles().values()).as("SIGKILL skips the restore: still enforced").allMatch(enforcedFile()::equals);
        assertThat(Files.readString(spool.resolve(EnforcerStateFile.NAME))).contains("\"cgroup\"");

        // while no collector runs, the delegate makes a cgroup inside the protected subtree
        Path late = tree.mkdirAsDelegate("dst/late");
        assertThat(FileOwnership.read(late.resolve(ControlledFile.PROCS))).isEqualTo(DELEGATED);

        Process second = startChild(node);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> tree.dstFiles().size() == 6
                    && tree.dstFiles().values().stream().allMatch(enforcedFile()::equals));

            // the originals were known only from the state file the killed run wrote
            operator.setMode(enforce, Mode.AUDIT, 2);
            Map<String, FileOwnership> expected = new TreeMap<>(originals);
            expected.put("dst/late/cgroup.procs", DELEGATED);
            expected.put("dst/late/cgroup.threads", DELEGATED);
            await().atMost(CHANGE).untilAsserted(() -> assertThat(tree.files()).isEqualTo(expected));

            // and the other way round: killed while enforcing, switched to audit while down
            operator.setMode(enforce.withMode(Mode.AUDIT), Mode.ENFORCE, 3);
            await().atMost(CHANGE).until(() -> tree.dstFiles().values().stream().allMatch(enforcedFile()::equals));
        } finally {
            kill(second);
        }
        operator.setMode(enforce, Mode.AUDIT, 4);
        assertThat(tree.dstFiles().values()).allMatch(enforcedFile()::equals);
        Map<String, FileOwnership> expected = new TreeMap<>(originals);
        expected.put("dst/late/cgroup.procs", DELEGATED);
        expected.put("dst/late/cgroup.threads", DELEGATED);

        Process third = startChild(node);
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(tree.files()).isEqualTo(expected));
        } finally {
            third.destroy(); // SIGTERM: a clean stop
            assertThat(third.waitFor(60, TimeUnit.SECONDS)).as("collector exits on SIGTERM").isTrue();
        }
        assertThat(tree.files()).isEqualTo(expected);
    }

    private static void assertEnforcingStatus(StatusEvent s, String ruleId, long version) {
        assertThat(s.getEnforcementBackend()).isEqualTo("dac");
        assertThat(s.getCapabilities()).filteredOn(c -> c.getName().equals("enforce.dac"))
                .singleElement().extracting(Capability::getAvailable).isEqualTo(true);
        assertThat(s.getCapabilities()).filteredOn(c -> c.getName().equals("enforce.dac.containment"))
                .singleElement().extracting(Capability::getAvailable).isEqualTo(false);
        assertThat(s.getRuleEnforcement()).singleElement().satisfies(r -> {
            assertThat(r.getRuleId()).isEqualTo(ruleId);
            assertThat(r.getRuleVersion()).isEqualTo(version);
            assertThat(r.getBackend()).isEqualTo("dac");
            // root is not among the allowed, and root passes dac: degraded, and said so
            assertThat(r.getEnforced()).isFalse();
            assertThat(r.getReason()).contains("dac enforces uid=" + ALLOWED).contains("root (CAP_DAC_OVERRIDE) bypasses dac");
        });
    }

    private static AttachDecision decisionOf(TopicWatcher<AttachDecision> decisions, Run writer) {
        AtomicReference<AttachDecision> found = new AtomicReference<>();
        await().atMost(CHANGE).until(() -> {
            decisions.first(d -> d.getWriter().getTgid() == writer.pid()).ifPresent(found::set);
            return found.get() != null;
        });
        return found.get();
    }

    private Process startChild(String node) throws IOException {
        Path log = Files.createTempFile("enforcing-collector", ".log");
        return new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                CollectorCliMain.class.getName(),
                "--bootstrap", KAFKA.bootstrapServers(), "--node", node, "--spool", spool.toString(),
                "--source", "bpf", "--sink", "kafka", "--enforce", "--trust", trust.toString(),
                "--status-interval", "1s"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void kill(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no restore
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /** The collector in this JVM, as {@code cgaudit collector --source bpf --enforce}. */
    private record RunningCollector(Collector collector, Thread thread, AtomicReference<Throwable> failed) {

        static RunningCollector start(String node, Path spool, Path trust) throws Exception {
            String bootId = BootId.read();
            CollectorConfig config = new CollectorConfig(KAFKA.bootstrapServers(), node, SpoolConfig.defaults(spool),
                    CollectorConfig.Sink.KAFKA, Optional.empty(), Optional.empty(), Duration.ofMillis(500),
                    Optional.empty(), EnforcementConfig.enabled(trust));
            Collector collector = new Collector(config, bootId);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread thread = new Thread(() -> {
                try {
                    collector.run(new BpfSourceFactory(node, bootId), new PrintWriter(new StringWriter()));
                } catch (Throwable t) {
                    failed.set(t);
                }
            }, "collector-under-test");
            thread.start();
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    collector.awaitRunning(100, TimeUnit.MILLISECONDS) || failed.get() != null);
            assertThat(failed.get()).as("collector start").isNull();
            return new RunningCollector(collector, thread, failed);
        }

        void stop() throws InterruptedException {
            collector.stop();
            thread.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(failed.get()).as("collector run").isNull();
        }
    }
}
