package dev.cgaudit.collector.publish;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.json.JsonLines;
import java.io.PrintWriter;

/** {@code --sink stdout}: the JSON Lines form, one decision a line, for eyes, pipes and trace files. */
public final class JsonLinesSink implements DecisionSink {

    private final JsonLines<AttachDecision> format = JsonLines.of(AttachDecision.class);
    private final PrintWriter out;

    public JsonLinesSink(PrintWriter out) {
        this.out = out;
    }

    @Override
    public boolean accept(AttachDecision decision) {
        out.println(format.write(decision));
        return true;
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }
}
