package dev.cgaudit.schema.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Shows the guard fails on the changes it exists to stop, and passes the ones Avro allows. */
class CompatibilityGuardTest {

    private final List<Schema> released = SchemaStore.bundled().releasedVersions("AttachDecision");
    private final String v1 = released.get(0).toString();

    @Test
    void newFieldWithoutDefaultIsRejected() {
        Schema candidate = parse(v1.replace("\"fields\":[{\"name\":\"eventId\"",
                "\"fields\":[{\"name\":\"cpu\",\"type\":\"int\"},{\"name\":\"eventId\""));
        assertThat(CompatibilityGuard.problems(candidate, released))
                .anySatisfy(p -> assertThat(p).contains("current reader cannot read data written by v1")
                        .contains("READER_FIELD_MISSING_DEFAULT").contains("cpu"));
    }

    @Test
    void renamedFieldWithoutAliasIsRejected() {
        Schema candidate = parse(v1.replace("\"name\":\"kernelTimeNs\"", "\"name\":\"monotonicNs\""));
        assertThat(CompatibilityGuard.problems(candidate, released))
                .anySatisfy(p -> assertThat(p).contains("monotonicNs"))
                .anySatisfy(p -> assertThat(p).contains("v1 reader cannot read data written by current")
                        .contains("kernelTimeNs"));
    }

    @Test
    void removedEnumSymbolIsRejected() {
        Schema candidate = parse(v1.replace("\"PROCS_WRITE\",\"THREADS_WRITE\",\"CLONE_INTO_CGROUP\"",
                "\"PROCS_WRITE\",\"THREADS_WRITE\""));
        assertThat(CompatibilityGuard.problems(candidate, released))
                .anySatisfy(p -> assertThat(p).contains("MISSING_ENUM_SYMBOLS"));
    }

    @Test
    void newOptionalFieldWithDefaultIsAccepted() {
        Schema candidate = parse(v1.replace("\"fields\":[{\"name\":\"eventId\"",
                "\"fields\":[{\"name\":\"cpu\",\"type\":[\"null\",\"int\"],\"default\":null},{\"name\":\"eventId\""));
        assertThat(candidate.getField("cpu")).isNotNull();
        assertThat(CompatibilityGuard.problems(candidate, released)).isEmpty();
    }

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }
}
