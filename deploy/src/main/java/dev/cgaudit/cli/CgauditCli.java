package dev.cgaudit.cli;

import dev.cgaudit.collector.cli.CollectorCli;
import dev.cgaudit.demo.DemoCli;
import dev.cgaudit.policy.cli.PolicyCli;
import dev.cgaudit.processor.cli.ProcessorCli;
import dev.cgaudit.processor.cli.ReplayCli;
import dev.cgaudit.sink.cli.SinkCli;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code cgaudit} launcher. Each module contributes its own subcommands (a picocli command
 * class of its own); this class only gathers them, so the command tree is visible in one place.
 *
 * <p>Exit codes (DESIGN.md "Command line"): 0 ok, 1 findings or failed checks where the command's
 * job is to check (and runtime failures), 2 usage or input errors.
 */
@Command(
        name = "cgaudit",
        mixinStandardHelpOptions = true,
        versionProvider = CgauditVersion.class,
        description = {
            "Audit trail, live policy and SOC alerts for cgroup attach decisions.",
            "Run 'cgaudit COMMAND --help' for the options of one command."
        },
        subcommands = {CommandLine.HelpCommand.class, DemoCli.class, CollectorCli.class, ProcessorCli.class, PolicyCli.class,
            ReplayCli.class, SinkCli.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok",
            "1:findings or failed checks (for commands that check), or a runtime failure",
            "2:usage or input error (the message names file, line and field)"
        })
public final class CgauditCli implements Callable<Integer> {

    public static final int EXIT_USAGE = 2;

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The whole command tree, ready to execute; tests drive it with their own writers. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new CgauditCli());
        cli.setExecutionExceptionHandler(CgauditCli::reportFailure);
        shareVersion(cli, new CgauditVersion());
        return cli;
    }

    /** Every command answers --version with the launcher's version: modules do not carry their own. */
    private static void shareVersion(CommandLine command, CgauditVersion version) {
        command.getCommandSpec().versionProvider(version);
        for (CommandLine sub : command.getSubcommands().values()) {
            shareVersion(sub, version);
        }
    }

    /** Without a command there is nothing to do: show what there is and say it was a usage error. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("cgaudit: missing command");
        spec.commandLine().usage(err);
        return EXIT_USAGE;
    }

    private static int reportFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        // One line a user can act on; the stack trace only when asked for.
        PrintWriter err = cli.getErr();
        err.println(cli.getCommandName() + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
        if (System.getenv("CGAUDIT_DEBUG") != null) {
            e.printStackTrace(err);
        } else {
            err.println("(set CGAUDIT_DEBUG=1 for the stack trace)");
        }
        err.flush();
        return 1;
    }
}
