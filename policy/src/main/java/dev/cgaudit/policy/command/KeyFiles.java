package dev.cgaudit.policy.command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 operator keys on disk, in the PEM forms OpenSSL also reads: the private key as PKCS#8
 * ({@code -----BEGIN PRIVATE KEY-----}, file mode 0600) and the public key as X.509
 * SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}). Only the JDK's own Ed25519 is used.
 */
public final class KeyFiles {

    public static final String ALGORITHM = "Ed25519";
    public static final String PRIVATE_SUFFIX = ".key";
    public static final String PUBLIC_SUFFIX = ".pub";
    private static final String PRIVATE_LABEL = "PRIVATE KEY";
    private static final String PUBLIC_LABEL = "PUBLIC KEY";

    private KeyFiles() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK provides Ed25519 since Java 15", e);
        }
    }

    /** Writes {@code dir/NAME.key} (0600) and {@code dir/NAME.pub}; refuses to overwrite either. */
    public static void write(KeyPair pair, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path privateFile = dir.resolve(name + PRIVATE_SUFFIX);
        Path publicFile = dir.resolve(name + PUBLIC_SUFFIX);
        if (Files.exists(publicFile)) {
            throw new java.nio.file.FileAlreadyExistsException(publicFile.toString());
        }
        // Created with its final mode, so the private key is never readable by others, not even briefly.
        Files.createFile(privateFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(privateFile, pem(PRIVATE_LABEL, pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(publicFile, pem(PUBLIC_LABEL, pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
    }

    public static PrivateKey readPrivate(Path file) throws IOException, InvalidKeyFileException {
        byte[] der = unpem(file, PRIVATE_LABEL);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new InvalidKeyFileException(file, "not an Ed25519 PKCS#8 private key: " + e.getMessage());
        }
    }

    public static PublicKey readPublic(Path file) throws IOException, InvalidKeyFileException {
        byte[] der = unpem(file, PUBLIC_LABEL);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new InvalidKeyFileException(file, "not an Ed25519 X.509 public key: " + e.getMessage());
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static byte[] unpem(Path file, String label) throws IOException, InvalidKeyFileException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new InvalidKeyFileException(file, "expected a PEM block '" + begin + "'");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyFileException(file, "the PEM block is not valid base64: " + e.getMessage());
        }
    }
}
