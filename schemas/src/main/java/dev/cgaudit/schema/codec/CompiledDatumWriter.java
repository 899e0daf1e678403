package dev.cgaudit.schema.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificData;

/**
 * Writes a generated record as Avro binary through a tree of field writers built once from the
 * schema, producing exactly the bytes {@link org.apache.avro.specific.SpecificDatumWriter} does.
 *
 * <p>Why it exists: the collector encodes every kernel decision on its reader thread, and
 * SpecificDatumWriter re-resolves each union branch by schema name (hash lookups per field), looks
 * up conversions and reads fields through the data model on every record — more than half of the
 * reader thread's CPU in a profile of the end-to-end bench. Avro's generated "custom coders" would
 * avoid that but are not generated for schemas with logical types, and ours have timestamps.
 *
 * <p>Unions are compiled when they are a null plus one other branch (all our optional fields);
 * {@link #compile} returns empty for a schema it cannot compile, and the caller keeps Avro's writer.
 */
final class CompiledDatumWriter {

    @FunctionalInterface
    private interface Node {
        void write(Object datum, Encoder out) throws IOException;
    }

    private final Node root;

    private CompiledDatumWriter(Node root) {
        this.root = root;
    }

    /** A writer for {@code schema}, or empty when it uses a shape this class does not compile. */
    static Optional<CompiledDatumWriter> compile(Schema schema, SpecificData model) {
        try {
            return Optional.of(new CompiledDatumWriter(node(schema, model, schema.getFullName(), new HashSet<>())));
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    void write(Object datum, Encoder out) throws IOException {
        root.write(datum, out);
    }

    private static Node node(Schema schema, SpecificData model, String where, Set<Schema> building) {
        LogicalType logical = schema.getLogicalType();
        Conversion<?> conversion = logical == null ? null : model.getConversionFor(logical);
        Node raw = rawNode(schema, model, where, building);
        if (conversion == null) {
            return raw;
        }
        @SuppressWarnings("unchecked")
        Conversion<Object> c = (Conversion<Object>) conversion;
        return (datum, out) -> raw.write(
                datum == null ? null : Conversions.convertToRawType(datum, schema, logical, c), out);
    }

    private static Node rawNode(Schema schema, SpecificData model, String where, Set<Schema> building) {
        switch (schema.getType()) {
            case RECORD: {
                if (!building.add(schema)) {
                    throw new UnsupportedOperationException("recursive record " + schema.getFullName() + " at " + where);
                }
                List<Schema.Field> fields = schema.getFields();
                Node[] writers = new Node[fields.size()];
                for (int i = 0; i < writers.length; i++) {
                    writers[i] = node(fields.get(i).schema(), model, where + "." + fields.get(i).name(), building);
                }
                building.remove(schema);
                return (datum, out) -> {
                    IndexedRecord record = (IndexedRecord) nonNull(datum, where);
                    for (int i = 0; i < writers.length; i++) {
                        writers[i].write(record.get(i), out);
                    }
                };
            }
            case UNION:
                return union(schema, model, where, building);
            case STRING:
                return (datum, out) -> out.writeString((CharSequence) nonNull(datum, where));
            case LONG:
                return (datum, out) -> out.writeLong(((Number) nonNull(datum, where)).longValue());
            case INT:
                return (datum, out) -> out.writeInt(((Number) nonNull(datum, where)).intValue());
            case BOOLEAN:
                return (datum, out) -> out.writeBoolean((Boolean) nonNull(datum, where));
            case DOUBLE:
                return (datum, out) -> out.writeDouble(((Number) nonNull(datum, where)).doubleValue());
            case FLOAT:
                return (datum, out) -> out.writeFloat(((Number) nonNull(datum, where)).floatValue());
            case NULL:
                return (datum, out) -> out.writeNull();
            case BYTES:
                return (datum, out) -> out.writeBytes(((ByteBuffer) nonNull(datum, where)).duplicate());
            case FIXED:
                return (datum, out) -> out.writeFixed(((GenericFixed) nonNull(datum, where)).bytes(), 0, schema.getFixedSize());
            case ENUM:
                return (datum, out) -> out.writeEnum(nonNull(datum, where) instanceof Enum<?> e
                        ? e.ordinal() : schema.getEnumOrdinal(datum.toString()));
            case ARRAY: {
                Node item = node(schema.getElementType(), model, where + "[]", building);
                return (datum, out) -> {
                    Collection<?> items = (Collection<?>) nonNull(datum, where);
                    out.writeArrayStart();
                    out.setItemCount(items.size());
                    for (Object element : items) {
                        out.startItem();
                        item.write(element, out);
                    }
                    out.writeArrayEnd();
                };
            }
            case MAP: {
                Node value = node(schema.getValueType(), model, where + "{}", building);
                return (datum, out) -> {
                    Map<?, ?> map = (Map<?, ?>) nonNull(datum, where);
                    out.writeMapStart();
                    out.setItemCount(map.size());
                    for (Map.Entry<?, ?> entry : map.entrySet()) {
                        out.startItem();
                        out.writeString((CharSequence) entry.getKey());
                        value.write(entry.getValue(), out);
                    }
                    out.writeMapEnd();
                };
            }
            default:
                throw new UnsupportedOperationException(schema.getType() + " at " + where);
        }
    }

    /** {@code ["null", X]} or {@code [X, "null"]}: the branch is decided by null-ness alone. */
    private static Node union(Schema schema, SpecificData model, String where, Set<Schema> building) {
        NullableUnion union = NullableUnion.of(schema, where);
        int nullBranch = union.nullBranch();
        int valueBranch = union.valueBranch();
        Node value = node(union.value(), model, where, building);
        return (datum, out) -> {
            if (datum == null) {
                out.writeIndex(nullBranch);
                out.writeNull();
            } else {
                out.writeIndex(valueBranch);
                value.write(datum, out);
            }
        };
    }

    private static Object nonNull(Object datum, String where) {
        if (datum == null) {
            // The same complaint Avro's writer makes, naming the field.
            throw new NullPointerException("null value for (non-nullable) " + where);
        }
        return datum;
    }
}
