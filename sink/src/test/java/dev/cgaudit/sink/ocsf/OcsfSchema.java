package dev.cgaudit.sink.ocsf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;

/** The test-data JSON Schema of OCSF Detection Finding, as a validator returning readable errors. */
public final class OcsfSchema {

    public static final String RESOURCE = "/ocsf/detection_finding-" + OcsfDetectionFinding.OCSF_VERSION + ".schema.json";

    private static final JsonSchema SCHEMA = load();

    private OcsfSchema() {
    }

    /** Every violation of the schema, as "path: message"; empty when the finding is valid. */
    public static List<String> errors(JsonNode finding) {
        return SCHEMA.validate(finding).stream()
                .map(ValidationMessage::getMessage)
                .sorted()
                .collect(Collectors.toList());
    }

    private static JsonSchema load() {
        try (InputStream in = OcsfSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + RESOURCE);
            }
            JsonNode schema = new ObjectMapper().readTree(in);
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
