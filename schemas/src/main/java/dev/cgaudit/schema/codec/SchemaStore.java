package dev.cgaudit.schema.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Every schema version a reader may meet on the wire, by CRC-64-AVRO fingerprint.
 *
 * <p>Released versions are kept as resources {@code /dev/cgaudit/schema/history/NAME/vN.avsc}
 * (v1, v2, ... without gaps), so a consumer built today still decodes a message written by the
 * first collector ever deployed. The current schemas (the generated classes) are added on top: an
 * unreleased change is readable in the same build before it is kept as a new version.
 */
public final class SchemaStore {

    /** The event types kept in the history, by record name. */
    public static final List<String> EVENT_NAMES =
            List.of("AttachDecision", "PolicyCommand", "PolicyViolation", "StatusEvent");

    private static final String HISTORY_ROOT = "/dev/cgaudit/schema/history/";

    private static final SchemaStore BUNDLED = loadBundled();

    private final Map<Long, Schema> byFingerprint;
    private final Map<String, List<Schema>> releasedByName;

    private SchemaStore(Map<Long, Schema> byFingerprint, Map<String, List<Schema>> releasedByName) {
        this.byFingerprint = Collections.unmodifiableMap(byFingerprint);
        this.releasedByName = Collections.unmodifiableMap(releasedByName);
    }

    /** The store of all versions shipped in this jar plus the current schemas. */
    public static SchemaStore bundled() {
        return BUNDLED;
    }

    /** A store of exactly the given schemas; for tests and for readers that pin versions. */
    public static SchemaStore of(List<Schema> schemas) {
        Map<Long, Schema> map = new LinkedHashMap<>();
        for (Schema schema : schemas) {
            map.put(fingerprint(schema), schema);
        }
        return new SchemaStore(map, Map.of());
    }

    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    public Optional<Schema> findByFingerprint(long fingerprint) {
        return Optional.ofNullable(byFingerprint.get(fingerprint));
    }

    /** Released versions of one event type, oldest first (v1 at index 0). */
    public List<Schema> releasedVersions(String recordName) {
        List<Schema> versions = releasedByName.get(recordName);
        if (versions == null) {
            throw new IllegalArgumentException(
                    "no released versions of '" + recordName + "'; known: " + releasedByName.keySet());
        }
        return versions;
    }

    public int size() {
        return byFingerprint.size();
    }

    private static SchemaStore loadBundled() {
        Map<Long, Schema> map = new LinkedHashMap<>();
        Map<String, List<Schema>> released = new LinkedHashMap<>();
        for (String name : EVENT_NAMES) {
            List<Schema> versions = new ArrayList<>();
            for (int v = 1; ; v++) {
                Optional<Schema> schema = readResource(HISTORY_ROOT + name + "/v" + v + ".avsc");
                if (schema.isEmpty()) {
                    break;
                }
                versions.add(schema.get());
                map.put(fingerprint(schema.get()), schema.get());
            }
            released.put(name, List.copyOf(versions));
        }
        for (Schema current : CurrentSchemas.ALL) {
            map.putIfAbsent(fingerprint(current), current);
        }
        return new SchemaStore(map, released);
    }

    private static Optional<Schema> readResource(String path) {
        try (InputStream in = SchemaStore.class.getResourceAsStream(path)) {
            if (in == null) {
                return Optional.empty();
            }
            // A fresh parser per file: each kept version defines the same names again.
            return Optional.of(new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled schema " + path, e);
        }
    }
}
