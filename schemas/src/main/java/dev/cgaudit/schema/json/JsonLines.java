package dev.cgaudit.schema.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.Schema.Field;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JSON Lines form of an event (DESIGN.md "Command line"): one JSON object per line, field
 * names as in the Avro schema, {@code timestamp-micros} fields as ISO-8601 UTC strings, enums as
 * their symbol names, nulls omitted on write and optional on read. Driven by the schema, so it
 * stays right as fields are added.
 *
 * <p>Reading is strict (unknown fields, wrong types and unknown symbols are errors naming the field
 * and what was expected), because these files are edited by hand and a silent typo would change
 * what a replay means.
 */
public final class JsonLines<T extends SpecificRecord> {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Class<T> type;
    private final Schema schema;
    private final SpecificData model;

    private JsonLines(Class<T> type) {
        this.type = type;
        this.model = SpecificData.getForClass(type);
        this.schema = model.getSchema(type);
    }

    public static <T extends SpecificRecord> JsonLines<T> of(Class<T> type) {
        return new JsonLines<>(type);
    }

    public Class<T> type() {
        return type;
    }

    /** One line of JSON, without the line break. */
    public String write(T event) {
        try {
            return MAPPER.writeValueAsString(toJson(event, schema));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + schema.getName() + " to JSON", e);
        }
    }

    /** Parses one line; the exception names the field, the caller adds file and line. */
    public T read(String line) throws JsonLineException {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw JsonLineException.inRecord(null, "not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw JsonLineException.inRecord(null, "expected a JSON object (one " + schema.getName()
                    + " per line), got " + describe(node));
        }
        @SuppressWarnings("unchecked")
        T event = (T) fromJson(node, schema, "");
        return event;
    }

    private JsonNode toJson(Object value, Schema s) {
        switch (s.getType()) {
            case RECORD: {
                SpecificRecord record = (SpecificRecord) value;
                ObjectNode object = NODES.objectNode();
                for (Field f : s.getFields()) {
                    Object v = record.get(f.pos());
                    if (v != null) {
                        object.set(f.name(), toJson(v, f.schema()));
                    }
                }
                return object;
            }
            case UNION:
                return toJson(value, nonNullBranch(s));
            case ARRAY: {
                ArrayNode array = NODES.arrayNode();
                for (Object item : (Collection<?>) value) {
                    array.add(toJson(item, s.getElementType()));
                }
                return array;
            }
            case MAP: {
                ObjectNode object = NODES.objectNode();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    object.set(e.getKey().toString(), toJson(e.getValue(), s.getValueType()));
                }
                return object;
            }
            case ENUM:
            case STRING:
                return NODES.textNode(value.toString());
            case LONG:
                if (isTimestampMicros(s)) {
                    return NODES.textNode(value.toString());
                }
                return NODES.numberNode((Long) value);
            case INT:
                return NODES.numberNode((Integer) value);
            case BOOLEAN:
                return NODES.booleanNode((Boolean) value);
            case DOUBLE:
                return NODES.numberNode((Double) value);
            case FLOAT:
                return NODES.numberNode((Float) value);
            case BYTES: {
                ByteBuffer buffer = ((ByteBuffer) value).duplicate();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
            }
            default:
                throw new IllegalStateException("schema type " + s.getType() + " has no JSON Lines form");
        }
    }

    private Object fromJson(JsonNode node, Schema s, String path) throws JsonLineException {
        switch (s.getType()) {
            case RECORD:
                return readRecord(node, s, path);
            case UNION: {
                if (node == null || node.isNull()) {
                    if (!isNullable(s)) {
                        throw JsonLineException.inRecord(path, "must not be null");
                    }
                    return null;
                }
                return fromJson(node, nonNullBranch(s), path);
            }
            case ARRAY: {
                if (!node.isArray()) {
                    throw JsonLineException.inRecord(path, "expected an array, got " + describe(node));
                }
                List<Object> list = new ArrayList<>(node.size());
                int i = 0;
                for (JsonNode item : node) {
                    list.add(fromJson(item, s.getElementType(), path + "[" + i++ + "]"));
                }
                return list;
            }
            case MAP: {
                if (!node.isObject()) {
                    throw JsonLineException.inRecord(path, "expected an object, got " + describe(node));
                }
                Map<String, Object> map = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    map.put(e.getKey(), fromJson(e.getValue(), s.getValueType(), path + "." + e.getKey()));
                }
                return map;
            }
            case ENUM: {
                if (!node.isTextual() || !s.hasEnumSymbol(node.asText())) {
                    throw JsonLineException.inRecord(path, "expected one of " + s.getEnumSymbols()
                            + ", got " + describe(node));
                }
                return model.createEnum(node.asText(), s);
            }
            case STRING:
                if (!node.isTextual()) {
                    throw JsonLineException.inRecord(path, "expected a string, got " + describe(node));
                }
                return node.asText();
            case LONG:
                if (isTimestampMicros(s)) {
                    return readInstant(node, path);
                }
                if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                    throw JsonLineException.inRecord(path, "expected an integer (64-bit), got " + describe(node));
                }
                return node.longValue();
            case INT:
                if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                    throw JsonLineException.inRecord(path, "expected an integer (32-bit), got " + describe(node));
                }
                return node.intValue();
            case BOOLEAN:
                if (!node.isBoolean()) {
                    throw JsonLineException.inRecord(path, "expected true or false, got " + describe(node));
                }
                return node.booleanValue();
            case DOUBLE:
            case FLOAT:
                if (!node.isNumber()) {
                    throw JsonLineException.inRecord(path, "expected a number, got " + describe(node));
                }
                return s.getType() == Schema.Type.FLOAT ? (Object) node.floatValue() : (Object) node.doubleValue();
            case BYTES:
                try {
                    if (!node.isTextual()) {
                        throw new IllegalArgumentException("not a string");
                    }
                    return ByteBuffer.wrap(Base64.getDecoder().decode(node.asText()));
                } catch (IllegalArgumentException e) {
                    throw JsonLineException.inRecord(path, "expected base64 text, got " + describe(node));
                }
            default:
                throw new IllegalStateException("schema type " + s.getType() + " has no JSON Lines form");
        }
    }

    private Object readRecord(JsonNode node, Schema s, String path) throws JsonLineException {
        if (!node.isObject()) {
            throw JsonLineException.inRecord(path.isEmpty() ? null : path,
                    "expected an object (" + s.getName() + "), got " + describe(node));
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (s.getField(name) == null) {
                throw JsonLineException.inRecord(join(path, name), "unknown field of " + s.getName()
                        + "; expected one of " + s.getFields().stream().map(Field::name)
                        .collect(Collectors.joining(", ")));
            }
        }
        SpecificRecord record = (SpecificRecord) model.newRecord(null, s);
        for (Field f : s.getFields()) {
            JsonNode value = node.get(f.name());
            String fieldPath = join(path, f.name());
            if (value == null || value.isNull()) {
                if (isNullable(f.schema())) {
                    record.put(f.pos(), null);
                } else if (f.hasDefaultValue()) {
                    record.put(f.pos(), model.deepCopy(f.schema(), model.getDefaultValue(f)));
                } else {
                    throw JsonLineException.inRecord(fieldPath, "missing; it is required ("
                            + describeType(f.schema()) + ")");
                }
            } else {
                record.put(f.pos(), fromJson(value, f.schema(), fieldPath));
            }
        }
        return record;
    }

    private static Instant readInstant(JsonNode node, String path) throws JsonLineException {
        if (node.isTextual()) {
            try {
                return Instant.parse(node.asText());
            } catch (DateTimeParseException e) {
                // fall through to the common message
            }
        }
        throw JsonLineException.inRecord(path,
                "expected an ISO-8601 UTC timestamp like 2026-11-28T15:10:32.123456Z, got " + describe(node));
    }

    private static boolean isTimestampMicros(Schema s) {
        LogicalType lt = s.getLogicalType();
        return lt instanceof LogicalTypes.TimestampMicros;
    }

    private static boolean isNullable(Schema s) {
        return s.getType() == Schema.Type.NULL
                || (s.getType() == Schema.Type.UNION
                    && s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL));
    }

    /** Our schemas use unions only as [null, X]. */
    private static Schema nonNullBranch(Schema union) {
        for (Schema t : union.getTypes()) {
            if (t.getType() != Schema.Type.NULL) {
                return t;
            }
        }
        throw new IllegalStateException("union without a non-null branch: " + union);
    }

    private static String describeType(Schema s) {
        if (s.getType() == Schema.Type.UNION) {
            return describeType(nonNullBranch(s));
        }
        if (isTimestampMicros(s)) {
            return "ISO-8601 timestamp";
        }
        switch (s.getType()) {
            case RECORD: return "object " + s.getName();
            case ENUM: return "one of " + s.getEnumSymbols();
            default: return s.getType().getName();
        }
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        String text = node.toString();
        if (text.length() > 60) {
            text = text.substring(0, 57) + "...";
        }
        return node.getNodeType().name().toLowerCase() + " " + text;
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
