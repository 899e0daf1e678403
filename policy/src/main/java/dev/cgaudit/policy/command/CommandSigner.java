package dev.cgaudit.policy.command;

import dev.cgaudit.schema.PolicyCommand;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.Signature;

/** Signs commands with one operator key: sets {@code keyId}, then signs the canonical bytes. */
public final class CommandSigner {

    private final SigningKey key;

    public CommandSigner(SigningKey key) {
        this.key = key;
    }

    public String keyId() {
        return key.keyId();
    }

    public PolicyCommand sign(PolicyCommand command) {
        PolicyCommand withKey = PolicyCommand.newBuilder(command).setKeyId(key.keyId()).setSignature(null).build();
        try {
            Signature signature = Signature.getInstance(KeyFiles.ALGORITHM);
            signature.initSign(key.privateKey());
            signature.update(CanonicalBytes.of(withKey));
            withKey.setSignature(ByteBuffer.wrap(signature.sign()));
            return withKey;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed with a key that loaded as Ed25519", e);
        }
    }
}
