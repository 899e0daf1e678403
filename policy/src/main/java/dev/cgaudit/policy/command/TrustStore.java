package dev.cgaudit.policy.command;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator public keys whose signatures are accepted: a directory of {@code NAME.pub} files.
 * A key file that cannot be read fails the whole load, naming the file: a trust store that
 * silently lost a key would reject that operator's commands with a misleading reason.
 */
public final class TrustStore {

    /** One trusted public key and the name of the file it came from. */
    public record TrustedKey(String keyId, String name, PublicKey key) {
    }

    private final Map<String, TrustedKey> byId;

    private TrustStore(Map<String, TrustedKey> byId) {
        this.byId = Map.copyOf(byId);
    }

    public static TrustStore of(Collection<TrustedKey> keys) {
        Map<String, TrustedKey> byId = new LinkedHashMap<>();
        keys.forEach(k -> byId.put(k.keyId(), k));
        return new TrustStore(byId);
    }

    public static TrustStore load(Path dir) throws IOException, InvalidKeyFileException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null,
                    "no trust directory (put operators' NAME.pub files there, or pass --trust DIR)");
        }
        List<TrustedKey> keys = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + KeyFiles.PUBLIC_SUFFIX)) {
            for (Path file : files) {
                PublicKey key = KeyFiles.readPublic(file);
                String name = file.getFileName().toString();
                keys.add(new TrustedKey(KeyFingerprint.of(key), name.substring(0, name.length() - KeyFiles.PUBLIC_SUFFIX.length()), key));
            }
        }
        return of(keys);
    }

    public Optional<TrustedKey> find(String keyId) {
        return keyId == null ? Optional.empty() : Optional.ofNullable(byId.get(keyId));
    }

    public int size() {
        return byId.size();
    }
}
