package dev.cgaudit.processor.replay;

import static dev.cgaudit.processor.Moves.T0;
import static dev.cgaudit.processor.Moves.byShell;
import static dev.cgaudit.processor.Moves.denied;
import static dev.cgaudit.processor.Moves.move;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.policy.RuleChanges;
import dev.cgaudit.processor.types.ViolationSerializer;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.RuleKind;
import dev.cgaudit.schema.ViolationKind;
import dev.cgaudit.schema.json.JsonLines;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.BatchExecutionOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay whose tasks run in this JVM gets its violations handed over as objects; one submitted to
 * a cluster elsewhere (here a MiniCluster reached only through its REST port, as a remote cluster
 * is) gets them through Flink's collect sink. Both give the same violations.
 */
class ViolationHandoffIT {

    /** Started by hand, not by an extension: a test context's environment refuses to build a remote one. */
    static MiniCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        Configuration config = new Configuration();
        config.set(RestOptions.BIND_PORT, "0");
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(config)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(2).build());
        cluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    @TempDir
    Path dir;

    @Test
    void a_replay_in_this_jvm_gets_by_hand_off_what_one_on_a_remote_cluster_gets_by_collect() throws Exception {
        Path input = capture();
        List<RuleChange> rules = rules();

        // BATCH sizes each stage by its data (16 MiB a subtask): with this little, every subtask but the
        // first would idle. A small volume per subtask makes both sink subtasks hand some over.
        Configuration small = new Configuration();
        small.set(BatchExecutionOptions.ADAPTIVE_AUTO_PARALLELISM_AVG_DATA_VOLUME_PER_TASK, MemorySize.parse("1kb"));
        StreamExecutionEnvironment here = ReplayJob.environment(2, small);   // cgaudit replay's, with that
        URI rest = cluster.getRestAddress().get();
        StreamExecutionEnvironment remote = StreamExecutionEnvironment.createRemoteEnvironment(rest.getHost(), rest.getPort());
        remote.setParallelism(2);
        assertThat(ViolationHandoff.runsHere(here.getConfiguration())).as("local target").isTrue();
        assertThat(ViolationHandoff.runsHere(remote.getConfiguration())).as("remote target").isFalse();

        List<PolicyViolation> handedOver = ReplayJob.run(here, new ReplayInput.Files(List.of(input)), rules,
                ReplayJob.Range.ALL, ProcessorSettings.DEFAULTS);
        List<PolicyViolation> collected = ReplayJob.run(remote, new ReplayInput.Files(List.of(input)), rules,
                ReplayJob.Range.ALL, ProcessorSettings.DEFAULTS);

        assertThat(handedOver).extracting(PolicyViolation::getKind)
                .contains(ViolationKind.UNAUTHORIZED_MIGRATION, ViolationKind.ENFORCEMENT_BYPASS, ViolationKind.DENIAL_BURST);
        assertThat(handedOver).hasSizeGreaterThan(100).isEqualTo(collected);
    }

    @Test
    void a_sink_whose_client_is_gone_fails_the_job_and_says_why() throws Exception {
        StreamExecutionEnvironment env = ReplayJob.environment(1, new Configuration());
        ViolationHandoff handoff = new ViolationHandoff();
        handoff.close();   // as on a TaskManager in another JVM: no client registered this run
        env.fromData(List.of(1)).filter(i -> false)
                .map(i -> (PolicyViolation) null).returns(ViolationSerializer.TYPE)
                .sinkTo(handoff.sink());

        assertThatThrownBy(() -> env.execute("orphan hand-off"))
                .rootCause().hasMessageContaining("no client in this JVM waits for its violations");
    }

    private Path capture() throws Exception {
        List<AttachDecision> decisions = new ArrayList<>();
        for (int node = 0; node < 40; node++) {
            for (int seq = 0; seq < 30; seq++) {
                AttachDecision.Builder m = move("node-" + node, seq, T0.plusMillis(seq * 200L), "/user.slice", "/system.slice/a.service");
                if (seq % 3 == 0) {
                    m = byShell(m, 4000 + node);
                }
                if (seq % 4 == 0) {
                    m = denied(m);
                }
                decisions.add(m.build());
            }
        }
        JsonLines<AttachDecision> json = JsonLines.of(AttachDecision.class);
        return Files.write(dir.resolve("capture.jsonl"), decisions.stream().map(json::write).toList());
    }

    private static List<RuleChange> rules() {
        return RuleChanges.fromFile(List.of(
                PolicyRule.builder("system-managers", RuleKind.ALLOWLIST, "/system.slice")
                        .allow(AllowEntry.builder().exe("/usr/lib/systemd/systemd").build())
                        .mode(Mode.ENFORCE).build(),
                PolicyRule.builder("denials", RuleKind.DENIAL_BURST, "/").threshold(3, Duration.ofSeconds(10)).build()),
                "handoff-test");
    }
}
