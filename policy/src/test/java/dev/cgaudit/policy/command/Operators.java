package dev.cgaudit.policy.command;

import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.schema.RuleKind;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** Named operators (key pairs) and rules for the command tests. Keys are made once per JVM: Ed25519 keygen is cheap but not free. */
final class Operators {

    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    static final SigningKey ALICE = SigningKey.of(KeyFiles.generate());
    static final SigningKey BOB = SigningKey.of(KeyFiles.generate());
    /** Signs well, but nobody trusts her key. */
    static final SigningKey MALLORY = SigningKey.of(KeyFiles.generate());

    static final TrustStore TRUST = TrustStore.of(List.of(trusted("alice", ALICE), trusted("bob", BOB)));

    private Operators() {
    }

    static TrustStore.TrustedKey trusted(String name, SigningKey key) {
        return new TrustStore.TrustedKey(key.keyId(), name, key.publicKey());
    }

    static PolicyCommands issuedAt(String author, Instant at) {
        return new PolicyCommands(author, Clock.fixed(at, ZoneOffset.UTC));
    }

    static CommandSigner signer(SigningKey key) {
        return new CommandSigner(key);
    }

    static PolicyRule managers() {
        return PolicyRule.builder("system-slice-managers", RuleKind.ALLOWLIST, "/system.slice")
                .allow(AllowEntry.builder().exe("/usr/lib/systemd/systemd").build())
                .when("decision.writer.uid != 0")
                .build();
    }

    static PolicyRule containment() {
        return PolicyRule.builder("user-containment", RuleKind.CONTAINMENT, "/user.slice").build();
    }
}
