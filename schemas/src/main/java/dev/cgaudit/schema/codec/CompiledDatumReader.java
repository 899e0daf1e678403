package dev.cgaudit.schema.codec;

import dev.cgaudit.schema.codec.DecodeException.Reason;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * Reads the body of a message written with the codec's own schema into the generated classes, in
 * one pass over the byte array, through a tree of nodes built once from the schema. It replaces
 * the old path's two passes (a {@code GenericDatumReader.skip} walk that guards against hostile
 * length prefixes, then Avro's fast reader), which were a quarter of the processor's CPU.
 *
 * <p>It must accept exactly what the old path accepts and reject the rest with the same reason.
 * The old path fails with TRAILING_BYTES when its skip walk completes short of the end, and with
 * MALFORMED_BODY when the skip walk fails, or when it succeeds but the read then fails. The two
 * walks see the same varints except where the skip walk is laxer: it takes any enum ordinal,
 * treats a negative string or bytes length as zero, ignores Avro's size limits, and jumps over a
 * negative-count array or map block by its byte size instead of reading its items. So this reader
 * fails at once where the skip walk would ({@link BodyInput.Malformed}), but only notes a failure
 * the read alone would find ({@link BodyInput#failRead}) and carries on the way the skip walk
 * does, so that trailing bytes still win. A negative-count block whose items do not fill exactly its byte size
 * sends the walks to different places ({@link Undecided}): the codec then does the old path's
 * structure walk and reads after it ({@link #readAfterStructureWalk}).
 *
 * <p>{@link #compileFields} builds the same walk keeping only some of the root's fields: the nodes
 * of the others check and move exactly as the reading nodes do, and build nothing.
 *
 * <p>It compiles what our schemas use: records, null-or-X unions, strings, bytes, ints, longs,
 * booleans, enums, arrays, maps, logical types with a conversion in the model. {@link #compile}
 * returns empty for any other shape (other unions, float, double, fixed, a bare null, arrays or
 * maps of items that can take no bytes, recursive records), and the codec keeps Avro's reader.
 */
final class CompiledDatumReader {

    /** This reader cannot tell what the old path would do with the message: let it decide. */
    static final class Undecided extends Exception {
        Undecided(String message) {
            super(message, null, false, false);
        }
    }

    @FunctionalInterface
    private interface Node {
        Object read(BodyInput in) throws BodyInput.Malformed, Undecided;
    }

    private final Node root;
    private final String name;

    private CompiledDatumReader(Node root, String name) {
        this.root = root;
        this.name = name;
    }

    /** A reader for {@code schema}, or empty when it uses a shape this class does not compile. */
    static Optional<CompiledDatumReader> compile(Schema schema, SpecificData model) {
        try {
            return Optional.of(new CompiledDatumReader(
                    node(schema, model, schema.getName(), new HashSet<>(), true), schema.getName()));
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /**
     * A reader of the same messages as {@link #compile}'s, with the same verdicts, that gives only
     * the root record's fields at {@code positions}, as an {@code Object[]} in that order (values as
     * the full read has them). What it does not keep it walks without building: no strings, records
     * or collections, where a decision's full read builds seven records and a dozen strings.
     */
    static Optional<CompiledDatumReader> compileFields(Schema schema, SpecificData model, int[] positions) {
        int[] slot = new int[schema.getFields().size()];
        Arrays.fill(slot, -1);
        for (int i = 0; i < positions.length; i++) {
            slot[positions[i]] = i;
        }
        try {
            Node[] readers = fieldNodes(schema, model, schema.getName(), new HashSet<>(), i -> slot[i] >= 0);
            int kept = positions.length;
            return Optional.of(new CompiledDatumReader((in) -> {
                Object[] values = new Object[kept];
                for (int i = 0; i < readers.length; i++) {
                    Object value = readers[i].read(in);
                    if (slot[i] >= 0) {
                        values[slot[i]] = value;
                    }
                }
                return values;
            }, schema.getName()));
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** Decodes {@code message[offset..]}, which must hold exactly one datum. */
    Object read(byte[] message, int offset) throws DecodeException, Undecided {
        return read(new BodyInput(message, offset, false), message, offset);
    }

    /**
     * Decodes a message the old path's structure walk has passed, as Avro's read alone would:
     * for what {@link #read} leaves {@link Undecided}. Unlike Avro's read, it checks a block's
     * count against the bytes left before it allocates the block.
     */
    Object readAfterStructureWalk(byte[] message, int offset) throws DecodeException {
        try {
            return read(new BodyInput(message, offset, true), message, offset);
        } catch (Undecided e) {
            throw new IllegalStateException("undecided after the structure walk: a bug", e);
        }
    }

    /**
     * Decodes the datum at {@code in.pos} and leaves {@code in.pos} after it, checked as {@link #read}
     * checks a message but for what follows it: datum {@code index} of the {@code count} of a container
     * block. (Not shared with {@link #read}: there trailing bytes must win over a failed read.)
     */
    Object readNext(BodyInput in, long index, long count) throws DecodeException, Undecided {
        Object datum;
        try {
            datum = root.read(in);
        } catch (BodyInput.Malformed e) {
            throw malformedDatum(index, count, e.getMessage());
        }
        if (in.readFailed()) {
            throw malformedDatum(index, count, in.readFailure());
        }
        return datum;
    }

    /** Worded only on failure: a block's datums are read on the replay's hot path. */
    private DecodeException malformedDatum(long index, long count, String detail) {
        return new DecodeException(Reason.MALFORMED_BODY, "cannot decode " + name + " datum " + index + " of a block of "
                + count + ": " + detail);
    }

    private Object read(BodyInput in, byte[] message, int offset) throws DecodeException, Undecided {
        Object datum;
        try {
            datum = root.read(in);
        } catch (BodyInput.Malformed e) {
            throw malformed(message, offset, e.getMessage());
        }
        // The structure walk has found any trailing bytes; Avro's read alone does not look.
        if (!in.afterStructureWalk && in.pos != message.length) {
            throw new DecodeException(Reason.TRAILING_BYTES, "bytes left after a whole "
                    + name + " was read from " + message.length + " bytes");
        }
        if (in.readFailed()) {
            throw malformed(message, offset, in.readFailure());
        }
        return datum;
    }

    private DecodeException malformed(byte[] message, int offset, String detail) {
        return new DecodeException(Reason.MALFORMED_BODY, "cannot decode " + name + " body of "
                + (message.length - offset) + " bytes: " + detail);
    }

    /**
     * @param keep false for a node that walks its value as the reading node does, with the same
     *             checks and failures, but builds nothing and gives null
     */
    private static Node node(Schema schema, SpecificData model, String where, Set<Schema> building, boolean keep) {
        LogicalType logical = schema.getLogicalType();
        Conversion<?> conversion = logical == null ? null : model.getConversionFor(logical);
        if (conversion == null) {
            return keep ? rawNode(schema, model, where, building) : walkNode(schema, model, where, building);
        }
        // A conversion can fail (an Instant out of range), so a walk converts too, and drops the result.
        Node raw = rawNode(schema, model, where, building);
        return (in) -> {
            Object value = raw.read(in);
            try {
                Object converted = Conversions.convertToLogicalType(value, schema, logical, conversion);
                return keep ? converted : null;
            } catch (RuntimeException e) {
                // Only the read converts; the skip walk has taken the raw value and goes on.
                in.failRead(where + ": " + e);
                return null;
            }
        };
    }

    private static Node rawNode(Schema schema, SpecificData model, String where, Set<Schema> building) {
        switch (schema.getType()) {
            case RECORD:
                return record(schema, model, where, building);
            case UNION:
                return union(schema, model, where, building, true);
            case STRING:
                return (in) -> in.readString(where);
            case BYTES:
                return (in) -> in.readBytes(where);
            case LONG:
                return (in) -> in.readLong(where);
            case INT:
                return (in) -> in.readInt(where);
            case BOOLEAN:
                return (in) -> in.readBoolean(where);
            case ENUM:
                return enumeration(schema, model, where);
            case ARRAY: {
                Node item = node(schema.getElementType(), model, where + "[]", building, true);
                return new BlockReader(where, minimumSize(schema.getElementType(), where),
                        // the classes Avro's fast reader makes: the same iteration order, toString, equals
                        count -> new GenericData.Array<>(count, schema), (in, into) -> {
                            Object value = item.read(in);
                            if (into != null) {
                                @SuppressWarnings("unchecked")
                                Collection<Object> items = (Collection<Object>) into;
                                items.add(value);
                            }
                        })::read;
            }
            case MAP: {
                Node value = node(schema.getValueType(), model, where + "{}", building, true);
                String keyWhere = where + "{key}";
                return new BlockReader(where, 1 + minimumSize(schema.getValueType(), where),
                        count -> new HashMap<>(), (in, into) -> {
                            String key = in.readString(keyWhere);
                            Object v = value.read(in);
                            if (into != null) {
                                @SuppressWarnings("unchecked")
                                Map<Object, Object> entries = (Map<Object, Object>) into;
                                entries.put(key, v);
                            }
                        })::read;
            }
            default:
                throw new UnsupportedOperationException(schema.getType() + " at " + where);
        }
    }

    /** What a block reader walking without building hands its items in place of a container. */
    private static final Object NOT_BUILT = new Object();

    /** {@link #rawNode}'s walk, node for node, building nothing: every node gives null. */
    private static Node walkNode(Schema schema, SpecificData model, String where, Set<Schema> building) {
        switch (schema.getType()) {
            case RECORD: {
                Node[] readers = fieldNodes(schema, model, where, building, i -> false);
                return (in) -> {
                    for (Node reader : readers) {
                        reader.read(in);
                    }
                    return null;
                };
            }
            case UNION:
                return union(schema, model, where, building, false);
            case STRING:
                return (in) -> {
                    in.skip(where, true);
                    return null;
                };
            case BYTES:
                return (in) -> {
                    in.skip(where, false);
                    return null;
                };
            case LONG:
                return (in) -> {
                    in.readLong(where);
                    return null;
                };
            case INT:
                return (in) -> {
                    in.readInt(where);
                    return null;
                };
            case BOOLEAN:
                return (in) -> {
                    in.readBoolean(where);
                    return null;
                };
            case ENUM: {
                Node ordinal = enumeration(schema, model, where);
                return (in) -> {
                    ordinal.read(in);
                    return null;
                };
            }
            case ARRAY: {
                Node item = node(schema.getElementType(), model, where + "[]", building, false);
                BlockReader blocks = new BlockReader(where, minimumSize(schema.getElementType(), where),
                        count -> NOT_BUILT, (in, into) -> item.read(in));
                return (in) -> {
                    blocks.read(in);
                    return null;
                };
            }
            case MAP: {
                Node value = node(schema.getValueType(), model, where + "{}", building, false);
                String keyWhere = where + "{key}";
                BlockReader blocks = new BlockReader(where, 1 + minimumSize(schema.getValueType(), where),
                        count -> NOT_BUILT, (in, into) -> {
                            in.skip(keyWhere, true);
                            value.read(in);
                        });
                return (in) -> {
                    blocks.read(in);
                    return null;
                };
            }
            default:
                throw new UnsupportedOperationException(schema.getType() + " at " + where);
        }
    }

    /** @param keep whether field {@code i}'s node builds its value (else it walks it) */
    private static Node[] fieldNodes(Schema schema, SpecificData model, String where, Set<Schema> building, IntPredicate keep) {
        if (!building.add(schema)) {
            throw new UnsupportedOperationException("recursive record " + schema.getFullName() + " at " + where);
        }
        List<Schema.Field> fields = schema.getFields();
        Node[] readers = new Node[fields.size()];
        for (int i = 0; i < readers.length; i++) {
            readers[i] = node(fields.get(i).schema(), model, where + "." + fields.get(i).name(), building, keep.test(i));
        }
        building.remove(schema);
        return readers;
    }

    private static Node record(Schema schema, SpecificData model, String where, Set<Schema> building) {
        Node[] readers = fieldNodes(schema, model, where, building, i -> true);
        Supplier<?> constructor = constructor(model.getClass(schema), where);
        return (in) -> {
            IndexedRecord record = (IndexedRecord) constructor.get();
            for (int i = 0; i < readers.length; i++) {
                record.put(i, readers[i].read(in));
            }
            return record;
        };
    }

    /** {@code ["null", X]} or {@code [X, "null"]}, as in CompiledDatumWriter. */
    private static Node union(Schema schema, SpecificData model, String where, Set<Schema> building, boolean keep) {
        NullableUnion union = NullableUnion.of(schema, where);
        int nullBranch = union.nullBranch();
        int valueBranch = union.valueBranch();
        Node value = node(union.value(), model, where, building, keep);
        return (in) -> {
            int index = in.readInt(where);
            if (index == valueBranch) {
                return value.read(in);
            }
            if (index == nullBranch) {
                return null;
            }
            // The skip walk looks the branch up too, and fails.
            throw new BodyInput.Malformed(where + ": union branch " + index + " of 2");
        };
    }

    private static Node enumeration(Schema schema, SpecificData model, String where) {
        List<String> symbols = schema.getEnumSymbols();
        Object[] values = new Object[symbols.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = model.createEnum(symbols.get(i), schema);
        }
        return (in) -> {
            int ordinal = in.readInt(where);
            if (ordinal >= 0 && ordinal < values.length) {
                return values[ordinal];
            }
            // The skip walk takes any ordinal; only the read fails.
            in.failRead(where + ": enum ordinal " + ordinal + " of " + values.length + " symbols");
            return null;
        };
    }

    /** The no-arg constructor as a lambda, so that a record costs no reflective call. */
    private static Supplier<?> constructor(Class<?> type, String where) {
        if (type == null || !IndexedRecord.class.isAssignableFrom(type)) {
            throw new UnsupportedOperationException("no generated class for " + where);
        }
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MethodHandle constructor = lookup.findConstructor(type, MethodType.methodType(void.class));
            CallSite site = LambdaMetafactory.metafactory(lookup, "get", MethodType.methodType(Supplier.class),
                    MethodType.methodType(Object.class), constructor, MethodType.methodType(type));
            return (Supplier<?>) site.getTarget().invokeExact();
        } catch (Throwable e) {
            throw new UnsupportedOperationException("no public no-arg constructor for " + where + ": " + e);
        }
    }

    /**
     * The fewest bytes one item can take. Bounding an item count by the bytes left needs it to be
     * at least one; a count of items that take no bytes would bound nothing.
     */
    private static int minimumSize(Schema schema, String where) {
        int size = MinimumBytes.of(schema);
        if (size < 1) {
            throw new UnsupportedOperationException("items of no bytes at " + where);
        }
        return size;
    }
}
