package dev.cgaudit.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.ViolationKind;
import dev.cgaudit.sink.delivery.Delivery;
import dev.cgaudit.sink.delivery.Finding;
import dev.cgaudit.sink.delivery.PermanentDeliveryException;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * The sink's terminal target: each OCSF finding as one compact line (severity, kind, rule, mode,
 * subtree, the writer of its first decision, outcomes). It reads the finding the file target gets,
 * so the terminal shows what the SOC receives, not a second opinion.
 */
final class TerminalFindings implements Delivery {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DemoConsole console;
    private final DecisionMonitor decisions;
    private final FindingTally tally;

    TerminalFindings(DemoConsole console, DecisionMonitor decisions, FindingTally tally) {
        this.console = console;
        this.decisions = decisions;
        this.tally = tally;
    }

    @Override
    public String target() {
        return "terminal";
    }

    @Override
    public void deliver(Finding finding) throws PermanentDeliveryException {
        JsonNode f;
        try {
            f = JSON.readTree(finding.json());
        } catch (IOException e) {
            throw new PermanentDeliveryException("finding " + finding.violationId() + " is not JSON: " + e.getMessage(), e);
        }
        ViolationKind kind = ViolationKind.valueOf(f.path("finding_info").path("types").path(0).asText());
        String firstDecision = f.path("unmapped").path("decisionIds").path(0).asText("");
        console.line(line(f, kind, decisions.lookup(firstDecision)));
        tally.count(kind);
    }

    static String line(JsonNode f, ViolationKind kind, Optional<AttachDecision> first) {
        JsonNode unmapped = f.path("unmapped");
        String writer = first.map(d -> "writer uid=" + d.getWriter().getUid() + " " + d.getWriter().getComm()).orElse("");
        StringBuilder outcomes = new StringBuilder();
        for (JsonNode o : unmapped.path("outcomes")) {
            if (outcomes.indexOf(o.asText()) < 0) {
                outcomes.append(outcomes.length() == 0 ? "" : "+").append(o.asText());
            }
        }
        return String.format(Locale.ROOT, "  ! %-8s %-23s rule %-19s %-7s %-28s %s %s",
                f.path("severity").asText().toUpperCase(Locale.ROOT), kind, f.path("finding_info").path("analytic").path("uid").asText(),
                unmapped.path("mode").asText("-").toLowerCase(Locale.ROOT), unmapped.path("subtree").asText("-"),
                writer, outcomes).stripTrailing();
    }
}
