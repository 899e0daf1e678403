package dev.cgaudit.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.file.PolicyFiles;
import dev.cgaudit.policy.file.PolicySet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoPolicyTest {

    @TempDir
    Path dir;

    @Test
    void theBundledPolicyIsReRootedAtTheScratchSubtreeAndStillValid() throws Exception {
        Path file = DemoPolicy.write(Optional.empty(), "/cgaudit-demo-4242", dir.resolve("policy.yaml"));

        PolicySet policy = new PolicyFiles().load(List.of(file));

        assertThat(policy.errors()).isEmpty();
        assertThat(policy.rules()).extracting(r -> r.subtree().path()).containsExactly(
                "/cgaudit-demo-4242/apps", "/cgaudit-demo-4242/jail", "/cgaudit-demo-4242", "/cgaudit-demo-4242/apps");
        assertThat(policy.rules()).extracting(PolicyRule::id).contains(Demo.APPS_RULE, Demo.JAIL_RULE);
    }

    @Test
    void theBundledPolicyIsTheExampleFile() throws Exception {
        assertThat(DemoPolicy.template(Optional.empty()))
                .isEqualTo(Files.readString(Path.of("examples", "demo-policy.yaml")));
    }

    @Test
    void onlyTheTemplateRootAndPathsBelowItMove() {
        String yaml = String.join("\n",
                "    subtree: /cgaudit-demo",
                "    subtree: /cgaudit-demo/apps # comment",
                "    subtree: /cgaudit-demonstration",
                "    subtree: /system.slice",
                "      - writerCgroup: [/cgaudit-demo/tick, /other]",
                "        - /cgaudit-demo/jail");

        assertThat(DemoPolicy.rooted(yaml, "/cgaudit-demo-7").lines()).containsExactly(
                "    subtree: /cgaudit-demo-7",
                "    subtree: /cgaudit-demo-7/apps # comment",
                "    subtree: /cgaudit-demonstration",
                "    subtree: /system.slice",
                "      - writerCgroup: [/cgaudit-demo-7/tick, /other]",
                "        - /cgaudit-demo-7/jail");
    }
}
