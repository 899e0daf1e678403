package dev.cgaudit.policy.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NameSuggestionsTest {

    private static final List<String> RULE_FIELDS = PolicyFileParser.RULE_FIELDS;

    @Test
    void suggestsTheClosestKnownNameForTyposSwapsAndCase() {
        assertThat(NameSuggestions.closest("subtre", RULE_FIELDS)).contains("subtree");
        assertThat(NameSuggestions.closest("sevreity", RULE_FIELDS)).contains("severity");
        assertThat(NameSuggestions.closest("tresholds", RULE_FIELDS)).contains("threshold");
        assertThat(NameSuggestions.closest("writercgroup", PolicyFileParser.ALLOW_FIELDS)).contains("writerCgroup");
    }

    @Test
    void suggestsNothingForNamesFarFromEveryKnownOne() {
        assertThat(NameSuggestions.closest("priority", RULE_FIELDS)).isEmpty();
        assertThat(NameSuggestions.closest("x", RULE_FIELDS)).isEmpty();
    }

    @Test
    void countsAnAdjacentSwapAsOneEdit() {
        assertThat(NameSuggestions.distance("kind", "knid")).isEqualTo(1);
        assertThat(NameSuggestions.distance("mode", "mode")).isZero();
        assertThat(NameSuggestions.distance("", "abc")).isEqualTo(3);
    }
}
