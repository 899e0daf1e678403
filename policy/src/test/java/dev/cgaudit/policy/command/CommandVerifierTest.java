package dev.cgaudit.policy.command;

import static dev.cgaudit.policy.command.Operators.ALICE;
import static dev.cgaudit.policy.command.Operators.BOB;
import static dev.cgaudit.policy.command.Operators.MALLORY;
import static dev.cgaudit.policy.command.Operators.T0;
import static dev.cgaudit.policy.command.Operators.TRUST;
import static dev.cgaudit.policy.command.Operators.containment;
import static dev.cgaudit.policy.command.Operators.issuedAt;
import static dev.cgaudit.policy.command.Operators.managers;
import static dev.cgaudit.policy.command.Operators.signer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.RuleMapper;
import dev.cgaudit.schema.CommandType;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.Rule;
import dev.cgaudit.schema.codec.EventCodec;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandVerifierTest {

    private final CommandVerifier verifier = new CommandVerifier(TRUST);
    private final PolicyCommands alice = issuedAt("alice", T0);

    private PolicyState withManagersV1() {
        Verdict v = verifier.verify(signer(ALICE).sign(alice.upsert(managers(), 1, "initial")), PolicyState.empty());
        return PolicyState.empty().with(((Verdict.Accepted) v).next());
    }

    private static void assertRejected(Verdict verdict, RejectionReason reason, String detail) {
        assertThat(verdict).isInstanceOfSatisfying(Verdict.Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo(reason);
            assertThat(r.detail()).contains(detail);
        });
    }

    @Test
    void aValidSignedUpsertIsAcceptedAndBecomesVersion1() {
        PolicyCommand command = signer(ALICE).sign(alice.upsert(managers(), 1, "initial"));

        Verdict verdict = verifier.verify(command, PolicyState.empty());

        assertThat(verdict).isInstanceOfSatisfying(Verdict.Accepted.class, a -> {
            RuleVersion v = a.next();
            assertThat(v.ruleId()).isEqualTo("system-slice-managers");
            assertThat(v.version()).isEqualTo(1);
            assertThat(v.rule()).contains(managers());
            assertThat(v.cause()).isEqualTo(CommandType.UPSERT_RULE);
            assertThat(v.issuedAt()).isEqualTo(T0);
            assertThat(v.author()).isEqualTo("alice");
            assertThat(v.reason()).contains("initial");
            assertThat(v.keyId()).isEqualTo(ALICE.keyId());
        });
    }

    @Test
    void aSignatureSurvivesTheWireEncoding() throws Exception {
        EventCodec<PolicyCommand> codec = EventCodec.of(PolicyCommand.class);
        PolicyCommand command = signer(BOB).sign(issuedAt("bob", T0.plusNanos(1_234_567)).upsert(containment(), 1, null));

        PolicyCommand decoded = codec.decode(codec.encode(command));

        assertThat(verifier.verify(decoded, PolicyState.empty())).isInstanceOf(Verdict.Accepted.class);
    }

    @Test
    void anUnsignedCommandIsRejected() {
        assertRejected(verifier.verify(alice.upsert(managers(), 1, null), PolicyState.empty()),
                RejectionReason.UNSIGNED, "no keyId");
        PolicyCommand keyButNoSignature = PolicyCommand.newBuilder(signer(ALICE).sign(alice.upsert(managers(), 1, null)))
                .setSignature(null).build();
        assertRejected(verifier.verify(keyButNoSignature, PolicyState.empty()), RejectionReason.UNSIGNED, "no signature");
    }

    @Test
    void aCommandSignedByAnUntrustedKeyIsRejected() {
        PolicyCommand command = signer(MALLORY).sign(issuedAt("mallory", T0).upsert(managers(), 1, null));

        assertRejected(verifier.verify(command, PolicyState.empty()), RejectionReason.UNKNOWN_KEY,
                "key " + MALLORY.keyId() + " is not in the trust store");
    }

    @Test
    void aForgedSignatureClaimingATrustedKeyIsRejected() {
        // Mallory signs with her key but claims Alice's key id.
        PolicyCommand forged = signer(MALLORY).sign(issuedAt("alice", T0).upsert(managers(), 1, null));
        forged.setKeyId(ALICE.keyId());

        assertRejected(verifier.verify(forged, PolicyState.empty()), RejectionReason.BAD_SIGNATURE,
                "does not verify with key " + ALICE.keyId() + " (alice): forged, or changed after signing");
    }

    @Test
    void aFieldTamperedAfterSigningIsRejected() {
        PolicyCommand signed = signer(ALICE).sign(alice.upsert(managers(), 1, null));
        Rule widened = RuleMapper.toAvro(managers());
        widened.setSubtree("/system.slice/ssh.service");
        PolicyCommand tampered = PolicyCommand.newBuilder(signed).setRule(widened).build();
        PolicyCommand otherAuthor = PolicyCommand.newBuilder(signed).setAuthor("bob").build();
        PolicyCommand garbage = PolicyCommand.newBuilder(signed).setSignature(ByteBuffer.wrap(new byte[] {1, 2, 3})).build();

        assertRejected(verifier.verify(tampered, PolicyState.empty()), RejectionReason.BAD_SIGNATURE, "changed after signing");
        assertRejected(verifier.verify(otherAuthor, PolicyState.empty()), RejectionReason.BAD_SIGNATURE, "changed after signing");
        assertRejected(verifier.verify(garbage, PolicyState.empty()), RejectionReason.BAD_SIGNATURE, "forged");
        assertThat(verifier.verify(signed, PolicyState.empty())).isInstanceOf(Verdict.Accepted.class);
    }

    @Test
    void aReplayedOrStaleVersionIsRejected() {
        PolicyCommand v1 = signer(ALICE).sign(alice.upsert(managers(), 1, "initial"));
        PolicyState state = withManagersV1();

        assertRejected(verifier.verify(v1, state), RejectionReason.STALE_VERSION,
                "version 1 is not above the current version 1 of rule system-slice-managers (a replayed or stale command)");
        PolicyCommand older = signer(BOB).sign(issuedAt("bob", T0.plusSeconds(5)).upsert(managers().withMode(Mode.ENFORCE), 1, null));
        assertRejected(verifier.verify(older, state), RejectionReason.STALE_VERSION, "not above the current version 1");
    }

    @Test
    void aDeletedRuleKeepsItsVersionSoAnOldUpsertCannotBeReplayedAfterIt() {
        PolicyCommand v1 = signer(ALICE).sign(alice.upsert(managers(), 1, null));
        PolicyState state = withManagersV1();
        Verdict delete = verifier.verify(signer(ALICE).sign(alice.delete(managers().id(), 2, "retired")), state);
        assertThat(delete).isInstanceOf(Verdict.Accepted.class);
        state = state.with(((Verdict.Accepted) delete).next());

        assertThat(state.rule(managers().id())).isEmpty();
        assertThat(state.currentVersion(managers().id())).isEqualTo(2);
        assertRejected(verifier.verify(v1, state), RejectionReason.STALE_VERSION, "not above the current version 2");
    }

    @Test
    void setModeOnAnUnknownRuleIsRejected() {
        PolicyCommand command = signer(ALICE).sign(alice.setMode("no-such-rule", Mode.ENFORCE, 1, "go"));

        assertRejected(verifier.verify(command, PolicyState.empty()), RejectionReason.UNKNOWN_RULE, "no rule no-such-rule to switch");
    }

    @Test
    void deleteOfAnUnknownRuleIsRejected() {
        assertRejected(verifier.verify(signer(ALICE).sign(alice.delete("ghost", 1, null)), PolicyState.empty()),
                RejectionReason.UNKNOWN_RULE, "no rule ghost to delete");
    }

    @Test
    void setModeWithoutAReasonIsRejected() {
        PolicyCommand noReason = PolicyCommand.newBuilder(alice.setMode(managers().id(), Mode.ENFORCE, 2, "x")).setReason(" ").build();

        assertRejected(verifier.verify(signer(ALICE).sign(noReason), withManagersV1()), RejectionReason.MISSING_REASON,
                "SET_MODE needs a reason");
    }

    @Test
    void setModeChangesOnlyTheModeAndCarriesTheRuleForCompaction() {
        PolicyState state = withManagersV1();
        PolicyCommand command = signer(BOB).sign(issuedAt("bob", T0.plusSeconds(60)).setMode(managers(), Mode.ENFORCE, 2, "tested"));

        Verdict verdict = verifier.verify(command, state);

        assertThat(verdict).isInstanceOfSatisfying(Verdict.Accepted.class, a -> {
            assertThat(a.next().rule()).contains(managers().withMode(Mode.ENFORCE));
            assertThat(a.next().version()).isEqualTo(2);
            assertThat(a.next().cause()).isEqualTo(CommandType.SET_MODE);
        });
        // Once the UPSERT before it is compacted away, the SET_MODE alone still yields the rule.
        assertThat(verifier.verify(command, PolicyState.empty())).isInstanceOfSatisfying(Verdict.Accepted.class,
                a -> assertThat(a.next().rule()).contains(managers().withMode(Mode.ENFORCE)));
    }

    @Test
    void setModeThatSmugglesOtherChangesIsRejected() {
        PolicyRule widened = PolicyRule.builder(managers().id(), managers().kind(), "/").allow(managers().allow()).build();
        PolicyCommand smuggling = signer(ALICE).sign(issuedAt("alice", T0).setMode(widened, Mode.AUDIT, 2, "only the mode, honest"));

        assertRejected(verifier.verify(smuggling, withManagersV1()), RejectionReason.MALFORMED,
                "SET_MODE may change only the mode");
    }

    @Test
    void upsertWhoseRuleIdDiffersFromTheCommandsIsRejected() {
        PolicyCommand mismatched = PolicyCommand.newBuilder(alice.upsert(managers(), 1, null)).setRuleId("other-rule").build();

        assertRejected(verifier.verify(signer(ALICE).sign(mismatched), PolicyState.empty()), RejectionReason.RULE_ID_MISMATCH,
                "ruleId other-rule but the rule's id is system-slice-managers");
    }

    @Test
    void upsertOfAnInvalidRuleIsRejectedEvenWhenSigned() {
        Rule invalid = RuleMapper.toAvro(managers());
        invalid.setWhen("decision.writer.uidd != 0");
        invalid.setSubtree("relative");
        PolicyCommand command = PolicyCommand.newBuilder(alice.upsert(managers(), 1, null)).setRule(invalid).build();

        assertRejected(verifier.verify(signer(ALICE).sign(command), PolicyState.empty()), RejectionReason.INVALID_RULE,
                "subtree: expected an absolute cgroup path");
        assertThat(((Verdict.Rejected) verifier.verify(signer(ALICE).sign(command), PolicyState.empty())).detail())
                .contains("when: undefined field 'uidd'");
    }

    @Test
    void upsertWithoutARuleIsMalformed() {
        PolicyCommand command = PolicyCommand.newBuilder(alice.upsert(managers(), 1, null)).setRule(null).build();

        assertRejected(verifier.verify(signer(ALICE).sign(command), PolicyState.empty()), RejectionReason.MALFORMED,
                "UPSERT_RULE without a rule");
    }

    @Test
    void canonicalBytesIgnoreTheSignatureButCoverEveryOtherField() {
        PolicyCommand signed = signer(ALICE).sign(alice.upsert(managers(), 1, null));

        assertThat(CanonicalBytes.of(signed)).isEqualTo(CanonicalBytes.of(PolicyCommand.newBuilder(signed).setSignature(null).build()));
        assertThat(CanonicalBytes.of(signed)).isNotEqualTo(CanonicalBytes.of(PolicyCommand.newBuilder(signed).setRuleVersion(2).build()));
        assertThat(CanonicalBytes.of(signed)).isNotEqualTo(CanonicalBytes.of(PolicyCommand.newBuilder(signed).setKeyId(BOB.keyId()).build()));
        assertThat(signed.getSignature()).isNotNull();
        assertThat(Optional.ofNullable(signed.getKeyId())).contains(ALICE.keyId());
    }
}
