package dev.cgaudit.policy.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructTypeReference;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cgaudit.policy.file.NameSuggestions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rule's {@code when:} condition: a CEL expression over {@code decision} ({@link DecisionSchema}),
 * parsed and type-checked once by {@link #compile}, then evaluated per decision without re-parsing.
 * The expression must have type bool.
 *
 * <p>Equality is by expression text: two rules with the same text have the same condition.
 * Instances are immutable and safe to share between threads.
 */
public final class Condition {

    // Bounds the work one decision can cost on the processor's hot path (list macros over big lists).
    private static final int MAX_COMPREHENSION_ITERATIONS = 1_000;
    private static final CelOptions OPTIONS = CelOptions.current()
            .comprehensionMaxIterations(MAX_COMPREHENSION_ITERATIONS)
            .build();
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addFileTypes(DecisionSchema.FILE)
            .addVar(DecisionSchema.VARIABLE, StructTypeReference.create(DecisionSchema.decisionTypeName()))
            .setResultType(SimpleType.BOOL)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
            .setOptions(OPTIONS)
            .addFileTypes(DecisionSchema.FILE)
            .build();
    private static final Pattern UNDEFINED_FIELD = Pattern.compile("undefined field '([^']+)'");

    private final String expression;
    private final CelRuntime.Program program;

    private Condition(String expression, CelRuntime.Program program) {
        this.expression = expression;
        this.program = program;
    }

    /** Parses and type-checks {@code expression}; never throws on bad input, the errors say what is wrong. */
    public static Compilation compile(String expression) {
        if (expression == null || expression.isBlank()) {
            return Compilation.failed(List.of(new ConditionError(1, 1, "expected a CEL expression of type bool, found nothing")));
        }
        CelValidationResult result = COMPILER.compile(expression);
        if (result.hasError()) {
            List<ConditionError> errors = new ArrayList<>();
            for (CelIssue issue : result.getErrors()) {
                errors.add(toError(issue));
            }
            return Compilation.failed(errors);
        }
        try {
            CelAbstractSyntaxTree ast = result.getAst();
            return Compilation.succeeded(new Condition(expression, RUNTIME.createProgram(ast)));
        } catch (CelValidationException | CelEvaluationException e) {
            // Reached only if cel-java rejects an AST its own checker accepted: report it like any other error.
            return Compilation.failed(List.of(new ConditionError(1, 1, "CEL could not plan the expression: " + e.getMessage())));
        }
    }

    /**
     * Compiles an expression that is known to be valid (e.g. already validated on the way in).
     *
     * @throws IllegalArgumentException with the CEL errors when it is not
     */
    public static Condition of(String expression) {
        Compilation compilation = compile(expression);
        return compilation.condition().orElseThrow(() -> new IllegalArgumentException(
                "invalid CEL condition '" + expression + "': " + compilation.errors()));
    }

    public String expression() {
        return expression;
    }

    public boolean test(CelDecision decision) throws ConditionEvaluationException {
        Object value;
        try {
            value = program.eval(Map.of(DecisionSchema.VARIABLE, decision.message()));
        } catch (CelEvaluationException e) {
            throw new ConditionEvaluationException("condition '" + expression + "' failed: " + e.getMessage(), e);
        }
        if (value instanceof Boolean b) {
            return b;
        }
        // The checker guarantees bool; anything else is a cel-java defect worth seeing, not a silent false.
        throw new ConditionEvaluationException("condition '" + expression + "' gave " + value + " instead of a bool", null);
    }

    private static ConditionError toError(CelIssue issue) {
        CelSourceLocation location = issue.getSourceLocation();
        int line = location == null || location.getLine() < 1 ? 1 : location.getLine();
        int column = location == null || location.getColumn() < 0 ? 1 : location.getColumn() + 1;
        return new ConditionError(line, column, withSuggestion(issue.getMessage()));
    }

    private static String withSuggestion(String message) {
        Matcher m = UNDEFINED_FIELD.matcher(message);
        if (!m.find()) {
            return message;
        }
        List<String> leafNames = DecisionSchema.fieldPaths().stream()
                .map(p -> p.substring(p.lastIndexOf('.') + 1)).distinct().toList();
        return NameSuggestions.closest(m.group(1), leafNames)
                .map(s -> message + " (did you mean '" + s + "'? see the decision fields in policy/README.md)")
                .orElse(message + " (see the decision fields in policy/README.md)");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Condition other && other.expression.equals(expression);
    }

    @Override
    public int hashCode() {
        return expression.hashCode();
    }

    @Override
    public String toString() {
        return expression;
    }

    /** The outcome of {@link #compile}: a condition, or the errors that prevented one. */
    public record Compilation(Optional<Condition> condition, List<ConditionError> errors) {

        public Compilation {
            errors = List.copyOf(errors);
        }

        static Compilation succeeded(Condition condition) {
            return new Compilation(Optional.of(condition), List.of());
        }

        static Compilation failed(List<ConditionError> errors) {
            return new Compilation(Optional.empty(), errors);
        }
    }
}
