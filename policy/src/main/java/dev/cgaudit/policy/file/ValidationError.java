package dev.cgaudit.policy.file;

/**
 * One problem in a policy file: where it is (file, 1-based line and column), which field (a path
 * such as {@code rules[2].threshold.count}; rule indexes count from 0; empty when the problem is
 * not inside a field, e.g. a YAML syntax error) and what was expected.
 *
 * <p>A line of 0 means the problem concerns the file as a whole (it could not be read).
 */
public record ValidationError(String file, int line, int column, String field, String message) {

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(file);
        if (line > 0) {
            s.append(':').append(line).append(':').append(column);
        }
        s.append(": ");
        if (!field.isEmpty()) {
            s.append(field).append(": ");
        }
        return s.append(message).toString();
    }
}
