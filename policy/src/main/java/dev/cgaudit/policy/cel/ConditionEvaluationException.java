package dev.cgaudit.policy.cel;

/** A type-checked condition still failed on one decision (e.g. division by zero, too many iterations). */
public final class ConditionEvaluationException extends Exception {

    private static final long serialVersionUID = 1L;

    public ConditionEvaluationException(String message, Throwable cause) {
        super(message, cause);
    }
}
