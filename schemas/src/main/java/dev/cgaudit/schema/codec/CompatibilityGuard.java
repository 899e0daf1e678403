package dev.cgaudit.schema.codec;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Decides whether a candidate schema may replace the released ones: a new reader must read data
 * every released version wrote, and every released reader must read what the candidate writes
 * (consumers are upgraded after producers, or not at all). Both directions, against all versions,
 * because events live for years in the decisions topic and the archive.
 */
public final class CompatibilityGuard {

    private CompatibilityGuard() {
    }

    /** Every incompatibility in words; empty when the candidate is safe to release. */
    public static List<String> problems(Schema candidate, List<Schema> released) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < released.size(); i++) {
            String version = "v" + (i + 1);
            Schema old = released.get(i);
            describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old),
                    "current reader cannot read data written by " + version, problems);
            describe(SchemaCompatibility.checkReaderWriterCompatibility(old, candidate),
                    version + " reader cannot read data written by current", problems);
        }
        return problems;
    }

    private static void describe(SchemaPairCompatibility result, String direction, List<String> problems) {
        for (Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
            problems.add(direction + ": " + incompatibility.getType() + " at " + incompatibility.getLocation()
                    + " (" + incompatibility.getMessage() + ")");
        }
    }
}
