package dev.cgaudit.policy.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesAPrivateKeyOnlyTheOwnerCanReadAndAPublicKeyThatLoadsBack() throws Exception {
        KeyPair pair = KeyFiles.generate();

        KeyFiles.write(pair, dir, "alice");

        Path privateFile = dir.resolve("alice.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile))).isEqualTo("rw-------");
        assertThat(Files.readString(privateFile)).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(Files.readString(dir.resolve("alice.pub"))).startsWith("-----BEGIN PUBLIC KEY-----\n");
        SigningKey loaded = SigningKey.load(privateFile);
        assertThat(loaded.keyId()).isEqualTo(KeyFingerprint.of(pair.getPublic())).hasSize(16).matches("[0-9a-f]{16}");
        assertThat(TrustStore.load(dir).find(loaded.keyId()))
                .hasValueSatisfying(k -> assertThat(k.name()).isEqualTo("alice"));
    }

    @Test
    void refusesToOverwriteAKey() throws Exception {
        KeyFiles.write(KeyFiles.generate(), dir, "alice");

        assertThatThrownBy(() -> KeyFiles.write(KeyFiles.generate(), dir, "alice")).isInstanceOf(FileAlreadyExistsException.class);
    }

    @Test
    void aPrivateKeyWithTheWrongPublicKeyBesideItIsRefused() throws Exception {
        KeyFiles.write(KeyFiles.generate(), dir, "alice");
        Path other = Files.createDirectory(dir.resolve("other"));
        KeyFiles.write(KeyFiles.generate(), other, "alice");
        Files.copy(other.resolve("alice.pub"), dir.resolve("alice.pub"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> SigningKey.load(dir.resolve("alice.key")))
                .isInstanceOf(InvalidKeyFileException.class).hasMessageContaining("does not match the public key");
    }

    @Test
    void aBrokenPublicKeyInTheTrustStoreFailsTheLoadNamingTheFile() throws Exception {
        Files.writeString(dir.resolve("broken.pub"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");

        assertThatThrownBy(() -> TrustStore.load(dir))
                .isInstanceOf(InvalidKeyFileException.class).hasMessageContaining("broken.pub");
        assertThatThrownBy(() -> TrustStore.load(dir.resolve("missing")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }
}
