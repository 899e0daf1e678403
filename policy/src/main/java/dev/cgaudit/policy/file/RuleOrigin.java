package dev.cgaudit.policy.file;

/** Where a rule is written: its file, the line its mapping starts on and its index path ({@code rules[2]}). */
public record RuleOrigin(String file, int line, String path) {

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
