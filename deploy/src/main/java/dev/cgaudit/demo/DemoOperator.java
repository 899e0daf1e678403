package dev.cgaudit.demo;

import dev.cgaudit.policy.cli.PolicyCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * The demo's operator: an ephemeral Ed25519 key pair made for this run and trusted by this run's
 * processor and enforcer only, and {@code cgaudit policy} run in this JVM exactly as an operator
 * would type it, so the demo changes policy through the same signed commands.
 */
final class DemoOperator {

    private static final String NAME = "demo-operator";

    private final String bootstrap;
    private final Path keyDir;

    private DemoOperator(String bootstrap, Path keyDir) {
        this.bootstrap = bootstrap;
        this.keyDir = keyDir;
    }

    /** Makes the key pair in {@code keyDir}, which then is also the trust store (its only *.pub). */
    static DemoOperator create(String bootstrap, Path keyDir) {
        DemoOperator operator = new DemoOperator(bootstrap, keyDir);
        operator.policy("keygen", "--out", keyDir.toString(), "--name", NAME);
        return operator;
    }

    Path trustDir() {
        return keyDir;
    }

    /** {@code cgaudit policy apply FILE}; returns what it printed. */
    List<String> apply(Path file) {
        return policy("apply", file.toString(), "--reason", "cgaudit demo", signed());
    }

    /** {@code cgaudit policy set-mode RULE MODE --reason TEXT}; returns what it printed. */
    List<String> setMode(String ruleId, String mode, String reason) {
        return policy("set-mode", ruleId, mode, "--reason", reason, signed());
    }

    private String[] signed() {
        return new String[] {"--bootstrap", bootstrap, "--trust", keyDir.toString(),
            "--key", keyDir.resolve(NAME + ".key").toString(), "--author", NAME};
    }

    private List<String> policy(Object... args) {
        List<String> argv = new ArrayList<>();
        for (Object a : args) {
            if (a instanceof String[] more) {
                argv.addAll(List.of(more));
            } else {
                argv.add((String) a);
            }
        }
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new PolicyCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int exit = cli.execute(argv.toArray(String[]::new));
        List<String> lines = out.toString().lines().toList();
        if (exit != 0) {
            throw new IllegalStateException("cgaudit policy " + String.join(" ", argv.subList(0, Math.min(2, argv.size())))
                    + " failed (exit " + exit + "): " + String.join(" / ", lines));
        }
        return lines;
    }
}
