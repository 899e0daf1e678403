package dev.cgaudit.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SubtreeTest {

    static Stream<Arguments> containment() {
        return Stream.of(
                Arguments.of("/a", "/a", true),
                Arguments.of("/a", "/a/b", true),
                Arguments.of("/a", "/a/b/c", true),
                Arguments.of("/a", "/ab", false),
                Arguments.of("/a", "/", false),
                Arguments.of("/a/b", "/a", false),
                Arguments.of("/", "/", true),
                Arguments.of("/", "/anything/below", true),
                Arguments.of("/system.slice", "/system.slice-other", false),
                Arguments.of("/system.slice", "/system.slice/containerd.service", true));
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @MethodSource("containment")
    void containsItselfAndWhatIsBelowItOnly(String subtree, String path, boolean expected) {
        assertThat(Subtree.of(subtree).contains(path)).isEqualTo(expected);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("", "found nothing"),
                Arguments.of("system.slice", "starting with '/'"),
                Arguments.of("/system.slice/", "no trailing '/'"),
                Arguments.of("/a//b", "no empty segment"),
                Arguments.of("/a/../b", "without '.' or '..'"),
                Arguments.of("/a/./b", "without '.' or '..'"),
                Arguments.of("/a\tb", "no control characters"));
    }

    @ParameterizedTest(name = "''{0}'' is not a subtree")
    @MethodSource("invalid")
    void rejectsPathsThatAreNotAbsoluteAndNormalised(String path, String expected) {
        assertThat(Subtree.problem(path)).hasValueSatisfying(p -> assertThat(p).contains(expected));
        assertThatThrownBy(() -> Subtree.of(path)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0} contains null")
    @MethodSource("containment")
    void refusesToGuessAboutAnUnresolvedPath(String subtree) {
        assertThatThrownBy(() -> Subtree.of(subtree).contains(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("unresolved");
    }
}
