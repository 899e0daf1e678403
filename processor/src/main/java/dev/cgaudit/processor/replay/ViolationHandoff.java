package dev.cgaudit.processor.replay;

import dev.cgaudit.schema.PolicyViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.client.deployment.executors.LocalExecutor;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Hands a replay's violations to the client when the job's tasks run in the client's JVM (a
 * MiniCluster: {@code cgaudit replay}, the tests, the bench), as objects. Flink's collect sink
 * serializes every violation twice more and ships it in batches through the JobManager to a client
 * that sleeps 100 ms after each empty answer; in a 2M-decision replay that was a third of the CPU and
 * of the time
 * (processor/BENCHMARKS.md). {@link ReplayJob} uses collect where the tasks run elsewhere.
 *
 * <p>Each sink subtask keeps what it is given and publishes the list once, at the end of its input,
 * under its subtask index: an attempt that fails publishes nothing, and one that runs again replaces
 * what an earlier attempt published, so no violation is counted twice.
 */
final class ViolationHandoff implements AutoCloseable {

    private static final ConcurrentMap<String, ConcurrentMap<Integer, List<PolicyViolation>>> RUNS = new ConcurrentHashMap<>();

    private final String run = UUID.randomUUID().toString();
    private final ConcurrentMap<Integer, List<PolicyViolation>> published = new ConcurrentHashMap<>();

    ViolationHandoff() {
        RUNS.put(run, published);
    }

    /**
     * True where the environment executes its tasks in this JVM: Flink's local target, and the test
     * utilities' "minicluster" (its constant lives in flink-test-utils, outside this module's classpath).
     */
    static boolean runsHere(ReadableConfig config) {
        String target = config.get(DeploymentOptions.TARGET);
        return LocalExecutor.NAME.equals(target) || "minicluster".equals(target);
    }

    Sink<PolicyViolation> sink() {
        return new HandoffSink(run);
    }

    /** What every sink subtask published; call after the job has finished. */
    List<PolicyViolation> violations() {
        List<PolicyViolation> all = new ArrayList<>();
        published.values().forEach(all::addAll);
        return all;
    }

    @Override
    public void close() {
        RUNS.remove(run);
    }

    private record HandoffSink(String run) implements Sink<PolicyViolation> {
        @Override
        public SinkWriter<PolicyViolation> createWriter(WriterInitContext context) {
            Map<Integer, List<PolicyViolation>> published = RUNS.get(run);
            if (published == null) {
                throw new IllegalStateException("replay " + run + ": no client in this JVM waits for its violations; "
                        + "the hand-off works only where the tasks run in the client's JVM (execution.target local or minicluster)");
            }
            int subtask = context.getTaskInfo().getIndexOfThisSubtask();
            return new SinkWriter<>() {
                private final List<PolicyViolation> written = new ArrayList<>();

                @Override
                public void write(PolicyViolation violation, Context context) {
                    written.add(violation);   // emitted records are never changed afterwards (DecisionJob.configure)
                }

                @Override
                public void flush(boolean endOfInput) {
                    if (endOfInput) {
                        published.put(subtask, written);
                    }
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
