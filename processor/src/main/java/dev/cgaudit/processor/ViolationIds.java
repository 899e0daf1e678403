package dev.cgaudit.processor;

import dev.cgaudit.schema.ViolationKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Violation ids derived only from what a finding rests on: rule, version, kind and the ordered
 * decision ids (or, for findings without decisions, the facts that identify them). Never time of
 * processing, never randomness: the same input and policy give the same id, live or in replay,
 * so consumers can de-duplicate and replay can be compared with what was recorded.
 */
public final class ViolationIds {

    private static final int HEX_LENGTH = 32;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    private ViolationIds() {
    }

    public static String of(String ruleId, long ruleVersion, ViolationKind kind, List<String> parts) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        update(digest, ruleId);
        update(digest, Long.toString(ruleVersion));
        update(digest, kind.name());
        for (String part : parts) {
            update(digest, part);
        }
        return HexFormat.of().formatHex(digest.digest()).substring(0, HEX_LENGTH);
    }

    public static String of(String ruleId, long ruleVersion, ViolationKind kind, String part) {
        return of(ruleId, ruleVersion, kind, List.of(part));
    }

    private static void update(MessageDigest digest, String value) {
        digest.update(value.getBytes(StandardCharsets.UTF_8));
        // A separator that cannot occur in the values keeps ("ab","c") and ("a","bc") apart.
        digest.update((byte) 0);
    }
}
