package dev.cgaudit.policy.command;

import dev.cgaudit.policy.InvalidRuleException;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.RuleId;
import dev.cgaudit.policy.RuleMapper;
import dev.cgaudit.schema.PolicyCommand;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Optional;

/**
 * Decides whether a policy command is genuine and applies to the current state. Authenticity is
 * checked first (signed, by a trusted key, signature valid over the canonical bytes) so that
 * nothing else is judged on a forged command; then freshness (version above the rule's current
 * one, else it is a replay); then that the command makes sense for its type.
 */
public final class CommandVerifier {

    private final TrustStore trust;

    public CommandVerifier(TrustStore trust) {
        this.trust = trust;
    }

    public Verdict verify(PolicyCommand command, PolicyState state) {
        if (command.getSignature() == null || command.getKeyId() == null) {
            return reject(command, RejectionReason.UNSIGNED, "the command carries no " + (command.getKeyId() == null ? "keyId" : "signature"));
        }
        Optional<TrustStore.TrustedKey> key = trust.find(command.getKeyId());
        if (key.isEmpty()) {
            return reject(command, RejectionReason.UNKNOWN_KEY, "key " + command.getKeyId() + " is not in the trust store");
        }
        if (!signatureValid(command, key.get())) {
            return reject(command, RejectionReason.BAD_SIGNATURE, "the signature does not verify with key "
                    + key.get().keyId() + " (" + key.get().name() + "): forged, or changed after signing");
        }
        String ruleId = command.getRuleId();
        Optional<String> idProblem = RuleId.problem(ruleId);
        if (idProblem.isPresent()) {
            return reject(command, RejectionReason.MALFORMED, "ruleId: " + idProblem.get());
        }
        long current = state.currentVersion(ruleId);
        if (command.getRuleVersion() <= current) {
            return reject(command, RejectionReason.STALE_VERSION, "version " + command.getRuleVersion()
                    + " is not above the current version " + current + " of rule " + ruleId + " (a replayed or stale command)");
        }
        return switch (command.getType()) {
            case UPSERT_RULE -> upsert(command);
            case SET_MODE -> setMode(command, state);
            case DELETE_RULE -> delete(command, state);
        };
    }

    private Verdict upsert(PolicyCommand command) {
        if (command.getRule() == null) {
            return reject(command, RejectionReason.MALFORMED, "UPSERT_RULE without a rule");
        }
        if (command.getMode() != null) {
            return reject(command, RejectionReason.MALFORMED, "UPSERT_RULE carries a mode; the mode is part of the rule");
        }
        if (!command.getRule().getId().equals(command.getRuleId())) {
            return reject(command, RejectionReason.RULE_ID_MISMATCH, "ruleId " + command.getRuleId()
                    + " but the rule's id is " + command.getRule().getId());
        }
        try {
            PolicyRule rule = RuleMapper.fromAvro(command.getRule());
            return accept(command, Optional.of(rule));
        } catch (InvalidRuleException e) {
            return reject(command, RejectionReason.INVALID_RULE, e.getMessage());
        }
    }

    private Verdict setMode(PolicyCommand command, PolicyState state) {
        if (command.getMode() == null) {
            return reject(command, RejectionReason.MALFORMED, "SET_MODE without a mode");
        }
        if (command.getReason() == null || command.getReason().isBlank()) {
            return reject(command, RejectionReason.MISSING_REASON, "SET_MODE needs a reason");
        }
        Optional<PolicyRule> carried = Optional.empty();
        if (command.getRule() != null) {
            if (!command.getRule().getId().equals(command.getRuleId())) {
                return reject(command, RejectionReason.RULE_ID_MISMATCH, "ruleId " + command.getRuleId()
                        + " but the carried rule's id is " + command.getRule().getId());
            }
            try {
                carried = Optional.of(RuleMapper.fromAvro(command.getRule()));
            } catch (InvalidRuleException e) {
                return reject(command, RejectionReason.INVALID_RULE, e.getMessage());
            }
            if (carried.get().mode() != command.getMode()) {
                return reject(command, RejectionReason.MALFORMED, "SET_MODE to " + command.getMode()
                        + " carries the rule in mode " + carried.get().mode());
            }
        }
        Optional<RuleVersion> current = state.rule(command.getRuleId());
        if (current.isPresent()) {
            PolicyRule switched = current.get().rule().orElseThrow().withMode(command.getMode());
            if (carried.isPresent() && !carried.get().equals(switched)) {
                return reject(command, RejectionReason.MALFORMED, "SET_MODE may change only the mode, but the carried rule"
                        + " differs from rule " + command.getRuleId() + " v" + current.get().version() + " in more than its mode");
            }
            return accept(command, Optional.of(switched));
        }
        boolean deleted = state.currentVersion(command.getRuleId()) > 0;
        if (carried.isPresent() && !deleted) {
            // The log holds nothing else for this rule: its earlier commands were compacted away.
            return accept(command, carried);
        }
        return reject(command, RejectionReason.UNKNOWN_RULE, "no rule " + command.getRuleId() + " to switch"
                + (deleted ? " (it was deleted)" : ""));
    }

    private Verdict delete(PolicyCommand command, PolicyState state) {
        if (command.getMode() != null || command.getRule() != null) {
            return reject(command, RejectionReason.MALFORMED, "DELETE_RULE carries neither a rule nor a mode");
        }
        if (state.rule(command.getRuleId()).isEmpty()) {
            return reject(command, RejectionReason.UNKNOWN_RULE, "no rule " + command.getRuleId() + " to delete");
        }
        return accept(command, Optional.empty());
    }

    private static Verdict accept(PolicyCommand c, Optional<PolicyRule> rule) {
        return new Verdict.Accepted(c, new RuleVersion(c.getRuleId(), c.getRuleVersion(), rule, c.getType(),
                c.getIssuedAt(), c.getAuthor(), Optional.ofNullable(c.getReason()), c.getCommandId(), c.getKeyId()));
    }

    private static Verdict reject(PolicyCommand command, RejectionReason reason, String detail) {
        return new Verdict.Rejected(command, reason, detail);
    }

    private static boolean signatureValid(PolicyCommand command, TrustStore.TrustedKey key) {
        ByteBuffer sig = command.getSignature().duplicate();
        byte[] signatureBytes = new byte[sig.remaining()];
        sig.get(signatureBytes);
        try {
            Signature verifier = Signature.getInstance(KeyFiles.ALGORITHM);
            verifier.initVerify(key.key());
            verifier.update(CanonicalBytes.of(command));
            return verifier.verify(signatureBytes);
        } catch (java.security.SignatureException e) {
            // A signature of the wrong length or shape is a bad signature, not an error of ours.
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 verification unavailable for a key loaded as Ed25519", e);
        }
    }
}
