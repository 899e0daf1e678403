package dev.cgaudit.sink.delivery;

import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands one finding to every target under the retry policy, and dead-letters it for each target
 * that did not take it. Flushing makes all of that durable at once.
 */
public final class Dispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final List<Delivery> targets;
    private final RetryPolicy retry;
    private final DeadLetterFile deadLetters;
    private final StopSignal stop = new StopSignal();

    public Dispatcher(List<Delivery> targets, RetryPolicy retry, DeadLetterFile deadLetters) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("at least one delivery target is needed");
        }
        this.targets = List.copyOf(targets);
        this.retry = retry;
        this.deadLetters = deadLetters;
    }

    /** Ends waits between retries now; a finding in hand is then reported as not handled. */
    public void stop() {
        stop.raise();
    }

    public boolean stopping() {
        return stop.raised();
    }

    /** How one finding fared: per target delivered or dead-lettered, unless the sink stopped first. */
    public record Outcome(int delivered, int deadLettered, boolean handled) {
    }

    /**
     * Delivers {@code finding} to every target. {@code handled} is false only when the sink began
     * to stop before every target was done: the finding must then not be acknowledged.
     *
     * @throws IOException when a dead letter cannot be written (nothing may be acknowledged then)
     */
    public Outcome dispatch(Finding finding, DeadLetterFile.Source source) throws IOException {
        int delivered = 0;
        int deadLettered = 0;
        for (Delivery target : targets) {
            RetryPolicy.Result result = retry.deliver(target, finding, stop);
            if (result instanceof RetryPolicy.Delivered) {
                delivered++;
            } else if (result instanceof RetryPolicy.Failed failed) {
                LOG.error("{}: {} dead-lettered: {}", target.target(), finding.violationId(), failed.reason());
                deadLetters.write(finding, target.target(), failed.reason(), failed.attempts(), source);
                deadLettered++;
            } else {
                return new Outcome(delivered, deadLettered, false);
            }
        }
        return new Outcome(delivered, deadLettered, true);
    }

    /** A record that never became a finding. */
    public void deadLetterUndecodable(byte[] value, String reason, DeadLetterFile.Source source) throws IOException {
        deadLetters.writeUndecodable(value, reason, source);
    }

    /** Forces every target and the dead letters to disk; only then may offsets be committed. */
    public void flush() throws IOException {
        for (Delivery target : targets) {
            target.flush();
        }
        deadLetters.flush();
    }

    public DeadLetterFile deadLetters() {
        return deadLetters;
    }

    /** Closes every target and the dead-letter file; the first failure is thrown, the rest suppressed. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Delivery target : targets) {
            try {
                target.close();
            } catch (IOException e) {
                first = add(first, e);
            }
        }
        try {
            deadLetters.close();
        } catch (IOException e) {
            first = add(first, e);
        }
        if (first != null) {
            throw first;
        }
    }

    private static IOException add(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
