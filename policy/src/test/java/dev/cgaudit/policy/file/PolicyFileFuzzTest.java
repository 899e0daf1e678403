package dev.cgaudit.policy.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * 200 malformed policy files, made by mutating good ones with a seeded Random (so a failure
 * reproduces): truncations, swapped characters, removed lines, wrong types, tabs, duplicate keys,
 * non-UTF-8 bytes, empty files. Every mutation is built so the result is invalid; the validator
 * must never throw and must report at least one error, each with a line and column.
 */
class PolicyFileFuzzTest {

    private static final long SEED = 20261128L;
    private static final int MUTATIONS = 200;

    /** A second good file in block style, with nested thresholds and lists, to mutate besides the sample. */
    static final String SECOND = """
            apiVersion: cgaudit.dev/v1
            kind: MigrationPolicy
            rules:
              - id: kubepods-writers
                description: only the kubelet and container runtimes place pods
                subtree: /kubepods.slice
                kind: allowlist
                direction: into
                mode: enforce
                severity: critical
                allow:
                  - exe: [/usr/bin/kubelet, /usr/bin/containerd-shim-runc-v2]
                  - uid: 0
                    gid: [0, 998]
                    comm: runc
                    writerCgroup: /system.slice/kubelet.service
                when: decision.outcome == 'ALLOWED' || decision.errno == 13
              - id: session-containment
                subtree: /user.slice/user-1000.slice
                kind: containment
                severity: high
              - id: bursts
                subtree: /system.slice
                kind: denial-burst
                threshold:
                  count: 3
                  within: 500ms
            """;

    /** Lines holding a key every valid file needs where it stands: cutting or removing one always breaks the file. */
    private static final Set<String> STRUCTURAL_KEYS = Set.of("apiVersion", "kind", "rules", "id", "subtree", "threshold",
            "count", "within");
    private static final Pattern KEY_LINE = Pattern.compile("^(\\s*)(- )?([A-Za-z]+):(.*)$");

    enum Operator { TRUNCATE, SWAP_IN_KEY, REMOVE_LINE, WRONG_TYPE, TAB, DUPLICATE_KEY, NON_UTF8, EMPTY }

    record Mutation(String description, byte[] content) {
    }

    private final PolicyFileParser parser = new PolicyFileParser();

    @TestFactory
    Stream<DynamicTest> everyMalformedFileGetsAnErrorWithALineNumberAndNoException() throws IOException {
        List<String> bases = List.of(Files.readString(PolicyFileParserTest.SAMPLE), SECOND);
        Random random = new Random(SEED);
        Operator[] operators = Operator.values();
        List<Mutation> mutations = new ArrayList<>();
        for (int i = 0; i < MUTATIONS; i++) {
            String base = bases.get(random.nextInt(bases.size()));
            mutations.add(mutate(operators[i % operators.length], base, random));
        }
        return IntStream.range(0, mutations.size()).mapToObj(i -> {
            Mutation m = mutations.get(i);
            return DynamicTest.dynamicTest(String.format("%03d %s", i, m.description()), () -> {
                PolicySet result = parser.parse("fuzz-" + i + ".yaml", m.content());
                assertThat(result.errors())
                        .as("errors for mutation %s of:%n%s", m.description(), new String(m.content(), StandardCharsets.UTF_8))
                        .isNotEmpty()
                        .allSatisfy(e -> {
                            assertThat(e.line()).as("line of %s", e).isPositive();
                            assertThat(e.column()).as("column of %s", e).isPositive();
                            assertThat(e.message()).isNotBlank();
                        });
            });
        });
    }

    @Test
    void theBasesThemselvesAreValid() throws IOException {
        assertThat(parser.parse("sample", Files.readAllBytes(PolicyFileParserTest.SAMPLE)).errors()).isEmpty();
        assertThat(parser.parse("second", SECOND.getBytes(StandardCharsets.UTF_8)).errors()).isEmpty();
    }

    static Mutation mutate(Operator operator, String base, Random random) {
        List<String> lines = new ArrayList<>(Arrays.asList(base.split("\n", -1)));
        switch (operator) {
            case TRUNCATE -> {
                int index = pick(random, lines, (line, m) -> STRUCTURAL_KEYS.contains(m.group(3)));
                String line = lines.get(index);
                int first = line.length() - line.stripLeading().length();
                int end = contentEnd(line);
                // keep at least one character of the line and cut at least one of its content
                int cut = first + 1 + random.nextInt(end - first - 1);
                String text = String.join("\n", lines.subList(0, index)) + "\n" + line.substring(0, cut);
                return new Mutation("truncate line " + (index + 1) + " to '" + line.substring(0, cut).strip() + "'", bytes(text));
            }
            case SWAP_IN_KEY -> {
                int index = pick(random, lines, (line, m) -> hasTwoDifferentAdjacent(m.group(3)));
                Matcher m = matcher(lines.get(index));
                String key = m.group(3);
                int at;
                do {
                    at = random.nextInt(key.length() - 1);
                } while (key.charAt(at) == key.charAt(at + 1));
                String swapped = key.substring(0, at) + key.charAt(at + 1) + key.charAt(at) + key.substring(at + 2);
                lines.set(index, m.group(1) + (m.group(2) == null ? "" : m.group(2)) + swapped + ":" + m.group(4));
                return new Mutation("swap in key '" + key + "' -> '" + swapped + "' on line " + (index + 1), join(lines));
            }
            case REMOVE_LINE -> {
                int index = pick(random, lines, (line, m) -> STRUCTURAL_KEYS.contains(m.group(3)));
                String removed = lines.remove(index);
                return new Mutation("remove line " + (index + 1) + " '" + removed.strip() + "'", join(lines));
            }
            case WRONG_TYPE -> {
                int index = pick(random, lines, (line, m) -> !value(m).isEmpty());
                Matcher m = matcher(lines.get(index));
                lines.set(index, m.group(1) + (m.group(2) == null ? "" : m.group(2)) + m.group(3) + ": {wrong: type}");
                return new Mutation("mapping as the value of '" + m.group(3) + "' on line " + (index + 1), join(lines));
            }
            case TAB -> {
                int index = pick(random, lines, (line, m) -> true);
                lines.set(index, "\t" + lines.get(index));
                return new Mutation("tab before line " + (index + 1), join(lines));
            }
            case DUPLICATE_KEY -> {
                int index = pick(random, lines, (line, m) -> m.group(2) == null && !value(m).isEmpty());
                lines.add(index + 1, lines.get(index));
                return new Mutation("duplicate line " + (index + 1) + " '" + lines.get(index).strip() + "'", join(lines));
            }
            case NON_UTF8 -> {
                byte[] text = bytes(base);
                int at = random.nextInt(text.length);
                byte[] bad = {(byte) 0x80, (byte) 0xBF, (byte) 0xC0, (byte) 0xC3, (byte) 0xFE, (byte) 0xFF};
                byte inserted = bad[random.nextInt(bad.length)];
                byte[] out = new byte[text.length + 1];
                System.arraycopy(text, 0, out, 0, at);
                out[at] = inserted;
                System.arraycopy(text, at, out, at + 1, text.length - at);
                // 0xC3 starts a two-byte sequence: make sure what follows cannot complete it
                if (inserted == (byte) 0xC3 && at + 1 < out.length && (out[at + 1] & 0xC0) == 0x80) {
                    out[at + 1] = 'x';
                }
                return new Mutation(String.format("byte 0x%02X at offset %d", inserted & 0xFF, at), out);
            }
            case EMPTY -> {
                String[] empties = {"", "\n", "   \n\n", "# only a comment\n", "---\n", "...\n"};
                String empty = empties[random.nextInt(empties.length)];
                return new Mutation("empty file " + empty.replace("\n", "\\n"), bytes(empty));
            }
            default -> throw new IllegalStateException(operator.name());
        }
    }

    @FunctionalInterface
    private interface LineFilter {
        boolean accept(String line, Matcher keyLine);
    }

    /** A random line that holds a key and passes the filter (TAB accepts any non-blank line). */
    private static int pick(Random random, List<String> lines, LineFilter filter) {
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = KEY_LINE.matcher(lines.get(i));
            if (m.matches() && filter.accept(lines.get(i), m)) {
                candidates.add(i);
            }
        }
        return candidates.get(random.nextInt(candidates.size()));
    }

    private static Matcher matcher(String line) {
        Matcher m = KEY_LINE.matcher(line);
        if (!m.matches()) {
            throw new IllegalStateException("not a key line: " + line);
        }
        return m;
    }

    /** The value after "key:", without a trailing comment. */
    private static String value(Matcher keyLine) {
        String rest = keyLine.group(4);
        int comment = rest.indexOf(" #");
        return (comment < 0 ? rest : rest.substring(0, comment)).strip();
    }

    /** Where a line's content ends: before a trailing comment, and before trailing blanks. */
    private static int contentEnd(String line) {
        int comment = line.indexOf(" #");
        return (comment < 0 ? line : line.substring(0, comment)).stripTrailing().length();
    }

    private static boolean hasTwoDifferentAdjacent(String key) {
        for (int i = 0; i + 1 < key.length(); i++) {
            if (key.charAt(i) != key.charAt(i + 1)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] join(List<String> lines) {
        return bytes(String.join("\n", lines));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
