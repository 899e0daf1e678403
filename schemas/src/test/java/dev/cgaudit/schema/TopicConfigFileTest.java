package dev.cgaudit.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.cgaudit.testing.ProjectRoot;
import org.junit.jupiter.api.Test;

/**
 * The shell scripts of deploy/local create topics from topics.conf, Java code from {@link Topic}:
 * the two must not drift apart.
 */
class TopicConfigFileTest {

    private static final Path TOPICS_CONF = ProjectRoot.find().resolve("deploy/local/topics.conf");

    @Test
    void topicsConfListsTheTopicsOfTheEnumWithTheSameConfigs() throws IOException {
        Map<String, Map<String, String>> fromFile = parse(Files.readAllLines(TOPICS_CONF));

        Map<String, Map<String, String>> fromEnum = Arrays.stream(Topic.values())
                .collect(Collectors.toMap(Topic::topicName, Topic::configs));
        assertThat(fromFile).as(TOPICS_CONF.toString()).isEqualTo(fromEnum);
    }

    /** name partitions key=value... per line; '#' starts a comment line. */
    private static Map<String, Map<String, String>> parse(List<String> lines) {
        Map<String, Map<String, String>> topics = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            String where = TOPICS_CONF + ":" + (i + 1);
            assertThat(fields.length).as(where + " needs a name and a partition count").isGreaterThanOrEqualTo(2);
            assertThat(fields[1]).as(where + " partition count").matches("[1-9][0-9]*");
            Map<String, String> configs = new LinkedHashMap<>();
            for (String field : Arrays.copyOfRange(fields, 2, fields.length)) {
                int eq = field.indexOf('=');
                assertThat(eq).as(where + " config '" + field + "' is not key=value").isPositive();
                configs.put(field.substring(0, eq), field.substring(eq + 1));
            }
            assertThat(topics.put(fields[0], configs)).as(where + " repeats topic " + fields[0]).isNull();
        }
        return topics;
    }
}
