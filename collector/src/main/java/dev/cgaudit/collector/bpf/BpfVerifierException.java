package dev.cgaudit.collector.bpf;

/**
 * The kernel refused to load the object: carries the verifier log of each program that was
 * captured (libbpf retries a failed load with log level 1 into our buffer), because the last
 * lines of that log are the only real explanation of a rejection.
 */
public final class BpfVerifierException extends BpfException {

    private final String program;
    private final String verifierLog;

    public BpfVerifierException(String operation, int errno, String program, String verifierLog) {
        super(operation, errno, (program == null ? "" : "program " + program + ": ") + lastLines(verifierLog, 3));
        this.program = program;
        this.verifierLog = verifierLog == null ? "" : verifierLog;
    }

    /** Name of the program whose log is carried; null when no program produced a log. */
    public String program() {
        return program;
    }

    /** The verifier log as the kernel wrote it; empty when none was produced. */
    public String verifierLog() {
        return verifierLog;
    }

    private static String lastLines(String log, int n) {
        if (log == null || log.isBlank()) {
            return "no verifier log";
        }
        String[] lines = log.strip().split("\n");
        int from = Math.max(0, lines.length - n);
        return "verifier: " + String.join(" | ", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
