package dev.cgaudit.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.schema.ViolationKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusLineTest {

    @Test
    void rendersRateCountsAndLoss() {
        assertThat(StatusLine.render(Duration.ofMillis(12_400), 35.25, 420, 17, 0))
                .isEqualTo("[ 12s]   35.3 decisions/s | 420 decisions | 17 violations | 0 lost");
    }

    @Test
    void withoutATerminalTheStatusIsAPlainLineAndNothingIsRedrawn() {
        StringWriter out = new StringWriter();
        DemoConsole console = new DemoConsole(new PrintWriter(out), false);

        console.status("status");
        console.line("finding");
        console.endStatus();

        assertThat(out.toString()).isEqualTo("status" + System.lineSeparator() + "finding" + System.lineSeparator());
    }

    @Test
    void onATerminalALineClearsTheStatusAndRedrawsItBelow() {
        StringWriter out = new StringWriter();
        DemoConsole console = new DemoConsole(new PrintWriter(out), true);

        console.status("status");
        console.line("finding");

        assertThat(out.toString()).isEqualTo("\r\033[2Kstatus" + "\r\033[2Kfinding" + System.lineSeparator() + "status");
    }

    @Test
    void theSummaryExplainsAMissingKind() {
        assertThat(DemoSummary.lines(Map.of(ViolationKind.CHURN, 1L), false, 0))
                .anySatisfy(l -> assertThat(l).startsWith("  CHURN").contains("1"))
                .anySatisfy(l -> assertThat(l).startsWith("  ENFORCEMENT_DEGRADED").contains("a played trace has no enforcer"))
                .anySatisfy(l -> assertThat(l).startsWith("  COLLECTOR_LOSS").contains("nothing was lost"));
    }
}
