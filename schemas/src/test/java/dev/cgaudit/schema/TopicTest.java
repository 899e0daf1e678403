package dev.cgaudit.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicTest {

    @Test
    void findsATopicByItsKafkaName() {
        assertThat(Topic.byName("cgaudit.policy")).isSameAs(Topic.POLICY);
    }

    @Test
    void anUnknownNameIsRejectedWithTheValidNames() {
        assertThatThrownBy(() -> Topic.byName("cgaudit.decision"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'cgaudit.decision'")
                .hasMessageContaining("cgaudit.decisions, cgaudit.policy, cgaudit.violations, cgaudit.status");
    }

    @Test
    void onlyTheStateTopicsAreCompacted() {
        assertThat(Topic.POLICY.configs()).containsEntry("cleanup.policy", "compact");
        assertThat(Topic.STATUS.configs()).containsEntry("cleanup.policy", "compact,delete");
        assertThat(Topic.DECISIONS.configs()).containsEntry("cleanup.policy", "delete");
        assertThat(Topic.VIOLATIONS.configs()).containsEntry("cleanup.policy", "delete");
    }

    @Test
    void configsCannotBeChangedByCallers() {
        assertThatThrownBy(() -> Topic.DECISIONS.configs().put("retention.ms", "1"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
