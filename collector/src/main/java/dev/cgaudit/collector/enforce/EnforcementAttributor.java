package dev.cgaudit.collector.enforce;

import dev.cgaudit.collector.publish.DecisionSink;
import dev.cgaudit.schema.AttachDecision;
import java.io.IOException;

/**
 * Sits between enrichment and the sink: a decision the node's enforcement made the kernel deny
 * gets {@code enforcement} {rule id, version, backend} before it is spooled. The lookup is the
 * backend's (dac: by the checked files' cgroup paths in its snapshot); decisions that are not
 * EACCES denials pass with two comparisons.
 */
public final class EnforcementAttributor implements DecisionSink {

    private final DecisionSink next;
    private final Enforcer enforcer;

    public EnforcementAttributor(DecisionSink next, Enforcer enforcer) {
        this.next = next;
        this.enforcer = enforcer;
    }

    @Override
    public boolean accept(AttachDecision decision) {
        if (decision.getEnforcement() == null) {
            enforcer.attribute(decision).ifPresent(decision::setEnforcement);
        }
        return next.accept(decision);
    }

    @Override
    public void flush() {
        next.flush();
    }

    @Override
    public long backlog() {
        return next.backlog();
    }

    @Override
    public long dropped() {
        return next.dropped();
    }

    @Override
    public void close() throws IOException {
        next.close();
    }
}
