package dev.cgaudit.policy.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every {@code cgaudit policy} subcommand shares: its streams, its environment, and how failures end it. */
abstract class PolicySubcommand implements Callable<Integer> {

    @ParentCommand
    PolicyCli parent;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        try {
            return run();
        } catch (CliFailure failure) {
            err().println("cgaudit policy " + spec.name() + ": " + failure.getMessage());
            return failure.exitCode();
        }
    }

    abstract int run() throws CliFailure;

    CliEnvironment environment() {
        return parent.environment();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
