package dev.cgaudit.policy.file;

import dev.cgaudit.policy.PolicyRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the policy files given together (to {@code validate} or {@code apply}) as one policy: each
 * file is parsed on its own, then rule ids must also be unique across the files.
 */
public final class PolicyFiles {

    private final PolicyFileParser parser = new PolicyFileParser();

    public PolicySet load(List<Path> files) {
        List<PolicyRule> rules = new ArrayList<>();
        List<ValidationError> errors = new ArrayList<>();
        Map<String, RuleOrigin> origins = new LinkedHashMap<>();
        for (Path file : files) {
            byte[] content;
            try {
                content = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                errors.add(new ValidationError(file.toString(), 0, 0, "", "no such file"));
                continue;
            } catch (IOException e) {
                errors.add(new ValidationError(file.toString(), 0, 0, "", "cannot read the file: " + e));
                continue;
            }
            PolicySet one = parser.parse(file.toString(), content);
            errors.addAll(one.errors());
            for (PolicyRule rule : one.rules()) {
                RuleOrigin here = one.origins().get(rule.id());
                RuleOrigin earlier = origins.putIfAbsent(rule.id(), here);
                if (earlier != null) {
                    errors.add(new ValidationError(here.file(), here.line(), 1, here.path() + ".id",
                            "duplicate rule id '" + rule.id() + "'; also defined at " + earlier
                                    + " (ids must be unique across all files applied together)"));
                } else {
                    rules.add(rule);
                }
            }
        }
        return new PolicySet(rules, errors, origins);
    }
}
