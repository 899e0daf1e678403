package dev.cgaudit.policy.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code cgaudit policy}: validate policy files, apply them to {@code cgaudit.policy}, switch a
 * rule's mode, list the policy and its history, make operator keys. A plain picocli command: the
 * launcher adds it as a subcommand; tests run {@code new CommandLine(new PolicyCli(env)).execute(args)}
 * with output captured through {@code setOut}/{@code setErr}.
 *
 * <p>Exit codes: 0 ok; 1 a check that is the command's job failed; 2 usage or input errors
 * (messages name file, line, column and field), or Kafka could not be reached.
 */
@Command(name = "policy",
        mixinStandardHelpOptions = true,
        description = {"Policy as code: validate, apply, switch modes, list.",
                "The topic cgaudit.policy is the source of truth."},
        subcommands = {ValidateCommand.class, ApplyCommand.class, SetModeCommand.class, ListCommand.class, KeygenCommand.class})
public final class PolicyCli implements Callable<Integer> {

    static final int OK = 0;
    static final int CHECK_FAILED = 1;
    static final int USAGE = 2;

    private final CliEnvironment environment;

    @Spec
    CommandSpec spec;

    public PolicyCli() {
        this(CliEnvironment.system());
    }

    public PolicyCli(CliEnvironment environment) {
        this.environment = environment;
    }

    CliEnvironment environment() {
        return environment;
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("cgaudit policy: a subcommand is required");
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    /** Runs the command on the process's own streams; for running this module alone. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new PolicyCli()).execute(args));
    }
}
