package dev.cgaudit.policy.cel;

/**
 * A CEL parse or type error, positioned inside the expression text: {@code line} and
 * {@code column} are 1-based (column counts characters of that line).
 */
public record ConditionError(int line, int column, String message) {
}
