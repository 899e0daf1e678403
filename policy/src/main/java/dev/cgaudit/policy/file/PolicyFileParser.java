package dev.cgaudit.policy.file;

import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.RuleId;
import dev.cgaudit.policy.Subtree;
import dev.cgaudit.policy.Threshold;
import dev.cgaudit.policy.cel.Condition;
import dev.cgaudit.policy.cel.ConditionError;
import dev.cgaudit.schema.Direction;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.RuleKind;
import dev.cgaudit.schema.Severity;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads one MigrationPolicy file (see DESIGN.md, "Policy file") into {@link PolicyRule}s, and
 * reports every problem in it at once, each with file, line, column, field and what was expected.
 *
 * <p>Works on SnakeYAML Engine's node graph (not on constructed maps) because the nodes keep their
 * positions and duplicate keys; the file is decoded as strict UTF-8 first so a bad byte is
 * reported with its line instead of being replaced. Never throws on malformed input.
 */
public final class PolicyFileParser {

    public static final String API_VERSION = "cgaudit.dev/v1";
    public static final String KIND = "MigrationPolicy";

    static final List<String> TOP_FIELDS = List.of("apiVersion", "kind", "rules");
    static final List<String> RULE_FIELDS = List.of("id", "description", "subtree", "kind", "direction", "mode",
            "severity", "allow", "when", "threshold");
    static final List<String> ALLOW_FIELDS = List.of("exe", "comm", "uid", "gid", "writerCgroup");
    static final List<String> THRESHOLD_FIELDS = List.of("count", "within");

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");
    private static final Pattern UNSIGNED = Pattern.compile("[0-9]{1,10}");
    private static final long MAX_ID = 0xFFFF_FFFFL;
    private static final int MAX_COUNT = 1_000_000;

    /** Parses {@code content}, labelled {@code file} in the errors. */
    public PolicySet parse(String file, byte[] content) {
        return new FileRun(file).run(content);
    }

    /** The state of parsing one file: its text and the errors found so far. */
    private static final class FileRun {
        private final String file;
        private final List<ValidationError> errors = new ArrayList<>();
        private final List<PolicyRule> rules = new ArrayList<>();
        private final Map<String, RuleOrigin> origins = new LinkedHashMap<>();
        private final Map<String, Integer> idLines = new LinkedHashMap<>();
        private String[] lines = new String[0];

        FileRun(String file) {
            this.file = file;
        }

        PolicySet run(byte[] content) {
            Optional<String> text = decode(content);
            if (text.isPresent()) {
                lines = text.get().split("\n", -1);
                Optional<Node> root = compose(text.get());
                root.ifPresent(this::document);
            }
            errors.sort(Comparator.comparingInt(ValidationError::line).thenComparingInt(ValidationError::column));
            return new PolicySet(rules, errors, origins);
        }

        private Optional<String> decode(byte[] content) {
            CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            try {
                String text = decoder.decode(ByteBuffer.wrap(content)).toString();
                return Optional.of(text.startsWith("\uFEFF") ? text.substring(1) : text);
            } catch (CharacterCodingException e) {
                int offset = firstInvalidUtf8(content);
                int line = 1;
                int lineStart = 0;
                for (int i = 0; i < offset; i++) {
                    if (content[i] == '\n') {
                        line++;
                        lineStart = i + 1;
                    }
                }
                error(line, offset - lineStart + 1, "",
                        String.format("not valid UTF-8 (byte 0x%02X at offset %d); expected a UTF-8 text file",
                                content[offset] & 0xFF, offset));
                return Optional.empty();
            }
        }

        private Optional<Node> compose(String text) {
            LoadSettings settings = LoadSettings.builder()
                    .setLabel(file)
                    .setSchema(new CoreSchema())
                    .setAllowRecursiveKeys(false)
                    .setMaxAliasesForCollections(50)
                    .build();
            Node first = null;
            try {
                Iterator<Node> documents = new Compose(settings).composeAllFromString(text).iterator();
                if (documents.hasNext()) {
                    first = documents.next();
                }
                if (documents.hasNext()) {
                    Node second = documents.next();
                    error(second, "", "expected one YAML document per file, found another one here");
                }
            } catch (MarkedYamlEngineException e) {
                Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
                String message = "YAML syntax: " + e.getProblem()
                        + (e.getContext() == null ? "" : " (" + e.getContext() + ")");
                error(mark.map(m -> m.getLine() + 1).orElse(1), mark.map(m -> m.getColumn() + 1).orElse(1), "", message);
                return Optional.empty();
            } catch (YamlEngineException e) {
                // Not positioned by SnakeYAML (e.g. the alias limit): the whole file is at fault.
                error(1, 1, "", "YAML: " + e.getMessage());
                return Optional.empty();
            }
            if (first == null) {
                error(1, 1, "", "empty policy file; expected a mapping with apiVersion: " + API_VERSION
                        + ", kind: " + KIND + " and rules");
                return Optional.empty();
            }
            return Optional.of(first);
        }

        private void document(Node root) {
            Optional<Map<String, NodeTuple>> top = mapping(root, "");
            if (top.isEmpty()) {
                return;
            }
            Map<String, NodeTuple> fields = top.get();
            unknownFields(fields, TOP_FIELDS, "");
            exactValue(root, fields, "apiVersion", API_VERSION);
            exactValue(root, fields, "kind", KIND);
            NodeTuple rulesField = fields.get("rules");
            if (rulesField == null) {
                error(root, "rules", "missing; expected a list of rules");
                return;
            }
            Node rulesNode = rulesField.getValueNode();
            if (!(rulesNode instanceof SequenceNode sequence)) {
                error(rulesNode, "rules", "expected a list of rules, found " + describe(rulesNode));
                return;
            }
            for (int i = 0; i < sequence.getValue().size(); i++) {
                rule(sequence.getValue().get(i), "rules[" + i + "]");
            }
        }

        private void exactValue(Node parent, Map<String, NodeTuple> fields, String name, String expected) {
            NodeTuple field = fields.get(name);
            if (field == null) {
                error(parent, name, "missing; expected " + name + ": " + expected);
                return;
            }
            string(field.getValueNode(), name).ifPresent(value -> {
                if (!value.equals(expected)) {
                    error(field.getValueNode(), name, "expected '" + expected + "', found '" + value + "'");
                }
            });
        }

        private void rule(Node node, String path) {
            int errorsBefore = errors.size();
            Optional<Map<String, NodeTuple>> parsed = mapping(node, path);
            if (parsed.isEmpty()) {
                return;
            }
            Map<String, NodeTuple> fields = parsed.get();
            unknownFields(fields, RULE_FIELDS, path);

            String id = required(node, fields, "id", path, "a rule id matching [a-z0-9-]+")
                    .flatMap(value -> string(value, path + ".id").flatMap(text -> ruleId(value, text, path + ".id")))
                    .orElse(null);
            Optional<String> description = optional(fields, "description").flatMap(v -> string(v, path + ".description"));
            Subtree subtree = required(node, fields, "subtree", path, "an absolute cgroup path such as /system.slice")
                    .flatMap(v -> subtree(v, path + ".subtree")).orElse(null);
            RuleKind kind = required(node, fields, "kind", path, "one of " + String.join(", ", YamlSymbols.spellings(RuleKind.class)))
                    .flatMap(v -> symbol(v, path + ".kind", RuleKind.class)).orElse(null);
            Direction direction = optional(fields, "direction")
                    .flatMap(v -> symbol(v, path + ".direction", Direction.class)).orElse(PolicyRule.DEFAULT_DIRECTION);
            Mode mode = optional(fields, "mode")
                    .flatMap(v -> symbol(v, path + ".mode", Mode.class)).orElse(PolicyRule.DEFAULT_MODE);
            Severity severity = optional(fields, "severity")
                    .flatMap(v -> symbol(v, path + ".severity", Severity.class)).orElse(PolicyRule.DEFAULT_SEVERITY);
            List<AllowEntry> allow = optional(fields, "allow").map(v -> allow(v, path + ".allow")).orElse(List.of());
            Optional<Condition> when = optional(fields, "when").flatMap(v -> when(v, path + ".when"));
            Optional<Threshold> threshold = optional(fields, "threshold").flatMap(v -> threshold(v, path + ".threshold"));

            if (kind != null) {
                kindRules(node, fields, kind, path);
            }
            if (errors.size() > errorsBefore || id == null || subtree == null || kind == null) {
                return;
            }
            PolicyRule rule = new PolicyRule(id, description, subtree, kind,
                    kind == RuleKind.ALLOWLIST ? direction : PolicyRule.DEFAULT_DIRECTION,
                    mode, severity, allow, when, threshold);
            rules.add(rule);
            origins.put(id, new RuleOrigin(file, line(node), path));
        }

        /** The fields whose presence depends on the kind: reported where they are, or where the rule starts. */
        private void kindRules(Node rule, Map<String, NodeTuple> fields, RuleKind kind, String path) {
            String spelt = YamlSymbols.spell(kind);
            boolean allowlist = kind == RuleKind.ALLOWLIST;
            if (!allowlist && fields.containsKey("direction")) {
                error(fields.get("direction").getKeyNode(), path + ".direction",
                        "direction is for allowlist rules only; remove it from this " + spelt + " rule");
            }
            if (allowlist && !fields.containsKey("allow")) {
                error(rule, path + ".allow", "missing; an allowlist rule needs allow entries (who may move processes)");
            }
            if (!allowlist && fields.containsKey("allow")) {
                error(fields.get("allow").getKeyNode(), path + ".allow",
                        "allow entries are for allowlist rules only; remove them from this " + spelt + " rule");
            }
            boolean counting = PolicyRule.isCounting(kind);
            if (counting && !fields.containsKey("threshold")) {
                error(rule, path + ".threshold", "missing; a " + spelt + " rule needs threshold: {count: N, within: DURATION}");
            }
            if (!counting && fields.containsKey("threshold")) {
                error(fields.get("threshold").getKeyNode(), path + ".threshold",
                        "threshold is for denial-burst and churn rules only; remove it from this " + spelt + " rule");
            }
        }

        private Optional<String> ruleId(Node node, String id, String field) {
            Optional<String> problem = RuleId.problem(id);
            if (problem.isPresent()) {
                error(node, field, problem.get());
                return Optional.empty();
            }
            Integer firstLine = idLines.putIfAbsent(id, line(node));
            if (firstLine != null) {
                error(node, field, "duplicate rule id '" + id + "'; first defined at line " + firstLine
                        + " (ids must be unique)");
                return Optional.empty();
            }
            return Optional.of(id);
        }

        private Optional<Subtree> subtree(Node node, String field) {
            return string(node, field).flatMap(path -> {
                Optional<String> problem = Subtree.problem(path);
                if (problem.isPresent()) {
                    error(node, field, problem.get() + ", found '" + path + "'");
                    return Optional.empty();
                }
                return Optional.of(Subtree.of(path));
            });
        }

        private <E extends Enum<E>> Optional<E> symbol(Node node, String field, Class<E> type) {
            return string(node, field).flatMap(text -> {
                Optional<E> symbol = YamlSymbols.parse(type, text);
                if (symbol.isEmpty()) {
                    List<String> known = YamlSymbols.spellings(type);
                    error(node, field, "unknown value '" + text + "'; expected one of " + String.join(", ", known)
                            + NameSuggestions.closest(text, known).map(s -> " (did you mean '" + s + "'?)").orElse(""));
                }
                return symbol;
            });
        }

        private List<AllowEntry> allow(Node node, String field) {
            if (!(node instanceof SequenceNode sequence)) {
                error(node, field, "expected a list of allow entries (mappings of exe, comm, uid, gid, writerCgroup), found "
                        + describe(node));
                return List.of();
            }
            if (sequence.getValue().isEmpty()) {
                error(node, field, "expected at least one allow entry; an allowlist with none would forbid every writer");
                return List.of();
            }
            List<AllowEntry> entries = new ArrayList<>();
            for (int i = 0; i < sequence.getValue().size(); i++) {
                allowEntry(sequence.getValue().get(i), field + "[" + i + "]").ifPresent(entries::add);
            }
            return entries;
        }

        private Optional<AllowEntry> allowEntry(Node node, String path) {
            int errorsBefore = errors.size();
            Optional<Map<String, NodeTuple>> parsed = mapping(node, path);
            if (parsed.isEmpty()) {
                return Optional.empty();
            }
            Map<String, NodeTuple> fields = parsed.get();
            unknownFields(fields, ALLOW_FIELDS, path);
            List<String> exe = anyOf(fields, "exe", path, this::absolutePath);
            List<String> comm = anyOf(fields, "comm", path, (n, f) -> string(n, f));
            List<Long> uid = anyOf(fields, "uid", path, this::unsignedId);
            List<Long> gid = anyOf(fields, "gid", path, this::unsignedId);
            List<Subtree> writerCgroup = anyOf(fields, "writerCgroup", path, this::subtree);
            if (fields.keySet().stream().noneMatch(ALLOW_FIELDS::contains)) {
                error(node, path, "sets none of " + String.join(", ", ALLOW_FIELDS) + "; an empty entry would allow every writer");
            }
            if (errors.size() > errorsBefore) {
                return Optional.empty();
            }
            return Optional.of(new AllowEntry(exe, comm, uid, gid, writerCgroup));
        }

        /** A field that takes one value or a list of values (any of them matches). */
        private <T> List<T> anyOf(Map<String, NodeTuple> fields, String name, String path, ValueReader<T> reader) {
            NodeTuple tuple = fields.get(name);
            if (tuple == null) {
                return List.of();
            }
            String field = path + "." + name;
            Node value = tuple.getValueNode();
            List<T> values = new ArrayList<>();
            if (value instanceof SequenceNode sequence) {
                if (sequence.getValue().isEmpty()) {
                    error(value, field, "expected a value or a non-empty list of values, found an empty list");
                }
                for (int i = 0; i < sequence.getValue().size(); i++) {
                    reader.read(sequence.getValue().get(i), field + "[" + i + "]").ifPresent(values::add);
                }
            } else {
                reader.read(value, field).ifPresent(values::add);
            }
            return values;
        }

        private Optional<String> absolutePath(Node node, String field) {
            return string(node, field).flatMap(path -> {
                if (!path.startsWith("/")) {
                    error(node, field, "expected an absolute executable path such as /usr/bin/runc, found '" + path + "'");
                    return Optional.empty();
                }
                return Optional.of(path);
            });
        }

        private Optional<Long> unsignedId(Node node, String field) {
            if (!(node instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
                error(node, field, "expected a numeric id from 0 to " + MAX_ID + ", found " + describe(node));
                return Optional.empty();
            }
            String text = scalar.getValue();
            if (!UNSIGNED.matcher(text).matches() || Long.parseLong(text) > MAX_ID) {
                error(node, field, "expected a numeric id from 0 to " + MAX_ID + ", found '" + text + "'");
                return Optional.empty();
            }
            return Optional.of(Long.parseLong(text));
        }

        private Optional<Condition> when(Node node, String field) {
            return string(node, field).flatMap(expression -> {
                Condition.Compilation compilation = Condition.compile(expression);
                for (ConditionError e : compilation.errors()) {
                    celError((ScalarNode) node, field, expression, e);
                }
                return compilation.condition();
            });
        }

        /** Places a CEL error on the YAML line and column it comes from, exactly where the scalar style allows. */
        private void celError(ScalarNode node, String field, String expression, ConditionError e) {
            String message = "CEL: " + e.message();
            int line = line(node);
            int column = column(node);
            ScalarStyle style = node.getScalarStyle();
            boolean singleLine = node.getEndMark().map(m -> m.getLine() + 1 == line).orElse(false);
            if (style == ScalarStyle.LITERAL && line + e.line() - 1 < lines.length) {
                // A literal block starts on the line after its '|'; its first line's indentation is stripped from all.
                String firstContent = lines[line];
                int blockIndent = firstContent.length() - firstContent.stripLeading().length();
                error(line + e.line(), blockIndent + e.column(), field, message);
            } else if (singleLine && e.line() == 1) {
                int quote = style == ScalarStyle.PLAIN ? 0 : 1;
                error(line, column + quote + e.column() - 1, field, message);
            } else {
                error(line, column, field, message + " (at line " + e.line() + ", column " + e.column()
                        + " of the expression `" + expression.strip() + "`)");
            }
        }

        private Optional<Threshold> threshold(Node node, String path) {
            int errorsBefore = errors.size();
            Optional<Map<String, NodeTuple>> parsed = mapping(node, path);
            if (parsed.isEmpty()) {
                return Optional.empty();
            }
            Map<String, NodeTuple> fields = parsed.get();
            unknownFields(fields, THRESHOLD_FIELDS, path);
            Optional<Integer> count = required(node, fields, "count", path, "a whole number of decisions, at least " + Threshold.MIN_COUNT)
                    .flatMap(v -> count(v, path + ".count"));
            Optional<Duration> within = required(node, fields, "within", path, "a duration like 500ms, 10s, 5m or 1h")
                    .flatMap(v -> duration(v, path + ".within"));
            if (errors.size() > errorsBefore || count.isEmpty() || within.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Threshold(count.get(), within.get()));
        }

        private Optional<Integer> count(Node node, String field) {
            String expected = "a whole number from " + Threshold.MIN_COUNT + " to " + MAX_COUNT;
            if (!(node instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
                error(node, field, "expected " + expected + ", found " + describe(node));
                return Optional.empty();
            }
            String text = scalar.getValue();
            if (!UNSIGNED.matcher(text).matches() || Long.parseLong(text) < Threshold.MIN_COUNT
                    || Long.parseLong(text) > MAX_COUNT) {
                error(node, field, "expected " + expected + ", found '" + text + "'");
                return Optional.empty();
            }
            return Optional.of(Integer.parseInt(text));
        }

        private Optional<Duration> duration(Node node, String field) {
            return string(node, field).flatMap(text -> {
                Matcher m = DURATION.matcher(text);
                if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
                    error(node, field, "expected a positive duration: a whole number followed by ms, s, m or h"
                            + " (500ms, 10s, 5m, 1h), found '" + text + "'");
                    return Optional.empty();
                }
                long amount = Long.parseLong(m.group(1));
                return Optional.of(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                });
            });
        }

        /** A mapping's fields by key, reporting non-scalar and duplicate keys. */
        private Optional<Map<String, NodeTuple>> mapping(Node node, String field) {
            if (!(node instanceof MappingNode mapping)) {
                error(node, field, "expected a mapping (key: value lines), found " + describe(node));
                return Optional.empty();
            }
            Map<String, NodeTuple> fields = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                Node key = tuple.getKeyNode();
                if (!(key instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
                    error(key, field, "expected a field name, found " + describe(key));
                    continue;
                }
                String name = scalar.getValue();
                NodeTuple first = fields.putIfAbsent(name, tuple);
                if (first != null) {
                    error(key, join(field, name), "duplicate key '" + name + "'; first given at line "
                            + line(first.getKeyNode()) + " (each field may appear once)");
                }
            }
            return Optional.of(fields);
        }

        private void unknownFields(Map<String, NodeTuple> fields, List<String> known, String path) {
            for (Map.Entry<String, NodeTuple> field : fields.entrySet()) {
                if (!known.contains(field.getKey())) {
                    String suggestion = NameSuggestions.closest(field.getKey(), known)
                            .map(s -> "; did you mean '" + s + "'?").orElse("");
                    error(field.getValue().getKeyNode(), join(path, field.getKey()),
                            "unknown field '" + field.getKey() + "'" + suggestion + " (known fields: "
                                    + String.join(", ", known) + ")");
                }
            }
        }

        private Optional<Node> required(Node parent, Map<String, NodeTuple> fields, String name, String path, String expected) {
            NodeTuple tuple = fields.get(name);
            if (tuple == null) {
                error(parent, join(path, name), "missing; expected " + expected);
                return Optional.empty();
            }
            return Optional.of(tuple.getValueNode());
        }

        private static Optional<Node> optional(Map<String, NodeTuple> fields, String name) {
            return Optional.ofNullable(fields.get(name)).map(NodeTuple::getValueNode);
        }

        /** Any non-null scalar read as text (a comm of 123 is the text "123"). */
        private Optional<String> string(Node node, String field) {
            if (node instanceof ScalarNode scalar && !scalar.getTag().equals(Tag.NULL)) {
                return Optional.of(scalar.getValue());
            }
            error(node, field, "expected a single value, found " + describe(node));
            return Optional.empty();
        }

        private static String describe(Node node) {
            if (node instanceof MappingNode) {
                return "a mapping";
            }
            if (node instanceof SequenceNode) {
                return "a list";
            }
            if (node instanceof ScalarNode scalar) {
                return scalar.getTag().equals(Tag.NULL) ? "nothing (null)" : "'" + scalar.getValue() + "'";
            }
            return "a " + node.getNodeType();
        }

        private static String join(String path, String name) {
            return path.isEmpty() ? name : path + "." + name;
        }

        private static int line(Node node) {
            return node.getStartMark().map(m -> m.getLine() + 1).orElse(1);
        }

        private static int column(Node node) {
            return node.getStartMark().map(m -> m.getColumn() + 1).orElse(1);
        }

        private void error(Node node, String field, String message) {
            error(line(node), column(node), field, message);
        }

        private void error(int line, int column, String field, String message) {
            errors.add(new ValidationError(file, line, column, field, message));
        }
    }

    /** Reads one value of an any-of field, reporting what is wrong with it. */
    @FunctionalInterface
    private interface ValueReader<T> {
        Optional<T> read(Node node, String field);
    }

    /** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
    static int firstInvalidUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(Math.max(16, bytes.length));
        java.nio.charset.CoderResult result = decoder.decode(in, out, true);
        return result.isError() ? in.position() : 0;
    }
}
