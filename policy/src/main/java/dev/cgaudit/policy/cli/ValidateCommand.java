package dev.cgaudit.policy.cli;

import dev.cgaudit.policy.file.PolicyFiles;
import dev.cgaudit.policy.file.PolicySet;
import dev.cgaudit.policy.file.ValidationError;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Check policy files without touching Kafka: YAML, every field, CEL conditions",
                "(type-checked), rule ids unique across all FILEs. Prints every error as",
                "FILE:LINE:COLUMN: FIELD: what was expected. Exit 0 when valid, 2 otherwise."})
final class ValidateCommand extends PolicySubcommand {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "MigrationPolicy YAML files, validated together.")
    List<Path> files;

    @Override
    int run() {
        PolicySet policy = new PolicyFiles().load(files);
        for (ValidationError error : policy.errors()) {
            err().println(error);
        }
        if (!policy.isValid()) {
            err().println(policy.errors().size() + (policy.errors().size() == 1 ? " error" : " errors")
                    + " in " + files.size() + (files.size() == 1 ? " file" : " files"));
            return PolicyCli.USAGE;
        }
        out().println("valid: " + policy.rules().size() + (policy.rules().size() == 1 ? " rule" : " rules")
                + " in " + files.size() + (files.size() == 1 ? " file" : " files"));
        return PolicyCli.OK;
    }
}
