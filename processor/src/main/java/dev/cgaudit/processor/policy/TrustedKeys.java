package dev.cgaudit.processor.policy;

import dev.cgaudit.policy.command.InvalidKeyFileException;
import dev.cgaudit.policy.command.KeyFiles;
import dev.cgaudit.policy.command.KeyFingerprint;
import dev.cgaudit.policy.command.TrustStore;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The trust store in a form that travels with the job graph: read where the job is built (the
 * {@code --trust DIR} of the machine that submits it), so task managers need no copy of the directory.
 */
public final class TrustedKeys implements Serializable {

    private static final long serialVersionUID = 1L;

    private record Key(String name, byte[] x509) implements Serializable {
    }

    private final List<Key> keys;

    private TrustedKeys(List<Key> keys) {
        this.keys = List.copyOf(keys);
    }

    public static TrustedKeys load(Path dir) throws IOException, InvalidKeyFileException {
        return of(TrustStore.load(dir), dir);
    }

    public static TrustedKeys of(List<TrustStore.TrustedKey> trusted) {
        List<Key> keys = new ArrayList<>();
        for (TrustStore.TrustedKey k : trusted) {
            keys.add(new Key(k.name(), k.key().getEncoded()));
        }
        return new TrustedKeys(keys);
    }

    private static TrustedKeys of(TrustStore store, Path dir) throws IOException, InvalidKeyFileException {
        List<TrustStore.TrustedKey> trusted = new ArrayList<>();
        try (var files = java.nio.file.Files.newDirectoryStream(dir, "*" + KeyFiles.PUBLIC_SUFFIX)) {
            for (Path file : files) {
                PublicKey key = KeyFiles.readPublic(file);
                String name = file.getFileName().toString();
                trusted.add(new TrustStore.TrustedKey(KeyFingerprint.of(key),
                        name.substring(0, name.length() - KeyFiles.PUBLIC_SUFFIX.length()), key));
            }
        }
        if (trusted.size() != store.size()) {
            throw new IllegalStateException("trust directory " + dir + " changed while it was read");
        }
        return of(trusted);
    }

    public int size() {
        return keys.size();
    }

    public TrustStore toTrustStore() {
        List<TrustStore.TrustedKey> trusted = new ArrayList<>();
        for (Key k : keys) {
            try {
                PublicKey key = KeyFactory.getInstance(KeyFiles.ALGORITHM).generatePublic(new X509EncodedKeySpec(k.x509()));
                trusted.add(new TrustStore.TrustedKey(KeyFingerprint.of(key), k.name(), key));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("key " + k.name() + " was read as Ed25519 and no longer decodes", e);
            }
        }
        return TrustStore.of(trusted);
    }
}
