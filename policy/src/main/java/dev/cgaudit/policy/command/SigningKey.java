package dev.cgaudit.policy.command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * An operator's key pair, as used to sign commands. Loaded from {@code NAME.key}; the public half
 * is read from {@code NAME.pub} beside it (a PKCS#8 Ed25519 file from the JDK does not carry the
 * public key, and the command's {@code keyId} is the public key's fingerprint).
 */
public record SigningKey(PrivateKey privateKey, PublicKey publicKey, String keyId) {

    public static SigningKey of(KeyPair pair) {
        return new SigningKey(pair.getPrivate(), pair.getPublic(), KeyFingerprint.of(pair.getPublic()));
    }

    public static SigningKey load(Path privateKeyFile) throws IOException, InvalidKeyFileException {
        if (!Files.exists(privateKeyFile)) {
            throw new NoSuchFileException(privateKeyFile.toString(), null,
                    "no private key (make one with: cgaudit policy keygen --out DIR --name NAME)");
        }
        String fileName = privateKeyFile.getFileName().toString();
        String base = fileName.endsWith(KeyFiles.PRIVATE_SUFFIX)
                ? fileName.substring(0, fileName.length() - KeyFiles.PRIVATE_SUFFIX.length()) : fileName;
        Path publicKeyFile = privateKeyFile.resolveSibling(base + KeyFiles.PUBLIC_SUFFIX);
        if (!Files.exists(publicKeyFile)) {
            throw new InvalidKeyFileException(privateKeyFile, "its public key " + publicKeyFile
                    + " is missing; keygen writes both, keep them together");
        }
        PrivateKey privateKey = KeyFiles.readPrivate(privateKeyFile);
        PublicKey publicKey = KeyFiles.readPublic(publicKeyFile);
        if (!belongTogether(privateKey, publicKey)) {
            throw new InvalidKeyFileException(privateKeyFile, "does not match the public key " + publicKeyFile);
        }
        return new SigningKey(privateKey, publicKey, KeyFingerprint.of(publicKey));
    }

    /** Signs and verifies a probe: the only way to pair Ed25519 halves through the JDK's public API. */
    private static boolean belongTogether(PrivateKey privateKey, PublicKey publicKey) {
        try {
            byte[] probe = "cgaudit key pair check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(KeyFiles.ALGORITHM);
            signer.initSign(privateKey);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(KeyFiles.ALGORITHM);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
