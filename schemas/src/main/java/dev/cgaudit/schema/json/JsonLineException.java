package dev.cgaudit.schema.json;

/**
 * A JSON Lines record that does not fit the event schema. Carries where (source, line, field) and
 * what was expected, so a hand-edited trace can be fixed from the message alone.
 */
public final class JsonLineException extends Exception {

    private final String source;
    private final long line;
    private final String field;
    private final String problem;

    public JsonLineException(String source, long line, String field, String problem) {
        super(format(source, line, field, problem));
        this.source = source;
        this.line = line;
        this.field = field;
        this.problem = problem;
    }

    /** A problem found in one record, before the caller knows which file and line it came from. */
    static JsonLineException inRecord(String field, String problem) {
        return new JsonLineException(null, 0, field, problem);
    }

    /** The same problem, placed at a file and line. */
    public JsonLineException at(String newSource, long newLine) {
        JsonLineException placed = new JsonLineException(newSource, newLine, field, problem);
        placed.setStackTrace(getStackTrace());
        return placed;
    }

    /** File or stream name; null when unknown. */
    public String source() {
        return source;
    }

    /** 1-based line number; 0 when unknown. */
    public long line() {
        return line;
    }

    /** Dotted field path such as {@code writer.uid}; null when the record as a whole is wrong. */
    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }

    private static String format(String source, long line, String field, String problem) {
        StringBuilder b = new StringBuilder();
        if (source != null) {
            b.append(source).append(':');
        }
        if (line > 0) {
            b.append(line).append(':');
        }
        if (b.length() > 0) {
            b.append(' ');
        }
        if (field != null) {
            b.append("field '").append(field).append("': ");
        }
        return b.append(problem).toString();
    }
}
