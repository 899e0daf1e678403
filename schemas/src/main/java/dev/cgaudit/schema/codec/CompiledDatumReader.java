package dev.cgaudit.schema.codec;

import dev.cgaudit.schema.codec.DecodeException.Reason;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
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
 * fails at once where the skip walk would ({@link Malformed}), but only notes a failure the read
 * alone would find ({@link Input#readFailure}) and carries on the way the skip walk does, so that
 * trailing bytes still win. A negative-count block whose items do not fill exactly its byte size
 * sends the walks to different places; that message is left to the old path ({@link Undecided}).
 *
 * <p>{@link #compile} returns empty for a shape it does not compile (unions other than null plus
 * one type, fixed, arrays or maps of items that can take no bytes, recursive records), and the
 * codec keeps Avro's reader for that type.
 */
final class CompiledDatumReader {

    /** This reader cannot tell what the old path would do with the message: let it decide. */
    static final class Undecided extends Exception {
        Undecided(String message) {
            super(message, null, false, false);
        }
    }

    /** The skip walk of the old path would fail here. Thrown often by hostile input: no stack trace. */
    private static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    @FunctionalInterface
    private interface Node {
        Object read(Input in) throws Malformed, Undecided;
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
                    node(schema, model, schema.getName(), new HashSet<>()), schema.getName()));
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** Decodes {@code message[offset..]}, which must hold exactly one datum. */
    Object read(byte[] message, int offset) throws DecodeException, Undecided {
        Input in = new Input(message, offset);
        Object datum;
        try {
            datum = root.read(in);
        } catch (Malformed e) {
            throw malformed(message, offset, e.getMessage());
        }
        if (in.pos != message.length) {
            throw new DecodeException(Reason.TRAILING_BYTES, "bytes left after a whole "
                    + name + " was read from " + message.length + " bytes");
        }
        if (in.readFailure != null) {
            throw malformed(message, offset, in.readFailure);
        }
        return datum;
    }

    private DecodeException malformed(byte[] message, int offset, String detail) {
        return new DecodeException(Reason.MALFORMED_BODY, "cannot decode " + name + " body of "
                + (message.length - offset) + " bytes: " + detail);
    }

    private static Node node(Schema schema, SpecificData model, String where, Set<Schema> building) {
        LogicalType logical = schema.getLogicalType();
        Conversion<?> conversion = logical == null ? null : model.getConversionFor(logical);
        Node raw = rawNode(schema, model, where, building);
        if (conversion == null) {
            return raw;
        }
        return (in) -> {
            Object value = raw.read(in);
            try {
                return Conversions.convertToLogicalType(value, schema, logical, conversion);
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
                return union(schema, model, where, building);
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
            case DOUBLE:
                return (in) -> Double.longBitsToDouble(in.readFixedLong(8, where));
            case FLOAT:
                return (in) -> Float.intBitsToFloat((int) in.readFixedLong(4, where));
            case NULL:
                return (in) -> null;
            case ENUM:
                return enumeration(schema, model, where);
            case ARRAY: {
                Node item = node(schema.getElementType(), model, where + "[]", building);
                return new Blocks(where, minimumSize(schema.getElementType(), where),
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
                Node value = node(schema.getValueType(), model, where + "{}", building);
                return new Blocks(where, 1 + minimumSize(schema.getValueType(), where),
                        count -> new HashMap<>(), (in, into) -> {
                            String key = in.readString(where + "{key}");
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

    private static Node record(Schema schema, SpecificData model, String where, Set<Schema> building) {
        if (!building.add(schema)) {
            throw new UnsupportedOperationException("recursive record " + schema.getFullName() + " at " + where);
        }
        List<Schema.Field> fields = schema.getFields();
        Node[] readers = new Node[fields.size()];
        for (int i = 0; i < readers.length; i++) {
            readers[i] = node(fields.get(i).schema(), model, where + "." + fields.get(i).name(), building);
        }
        building.remove(schema);
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
    private static Node union(Schema schema, SpecificData model, String where, Set<Schema> building) {
        List<Schema> branches = schema.getTypes();
        if (branches.size() != 2) {
            throw new UnsupportedOperationException("union of " + branches.size() + " at " + where);
        }
        int nullBranch = branches.get(0).getType() == Schema.Type.NULL ? 0
                : branches.get(1).getType() == Schema.Type.NULL ? 1 : -1;
        if (nullBranch < 0) {
            throw new UnsupportedOperationException("union without null at " + where);
        }
        int valueBranch = 1 - nullBranch;
        Node value = node(branches.get(valueBranch), model, where, building);
        return (in) -> {
            int index = in.readInt(where);
            if (index == valueBranch) {
                return value.read(in);
            }
            if (index == nullBranch) {
                return null;
            }
            // The skip walk looks the branch up too, and fails.
            throw new Malformed(where + ": union branch " + index + " of 2");
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
        int size = minimumSizeOf(schema);
        if (size < 1) {
            throw new UnsupportedOperationException("items of no bytes at " + where);
        }
        return size;
    }

    private static int minimumSizeOf(Schema schema) {
        switch (schema.getType()) {
            case NULL:
                return 0;
            case FLOAT:
                return 4;
            case DOUBLE:
                return 8;
            case FIXED:
                return schema.getFixedSize();
            case RECORD: {
                int sum = 0;
                for (Schema.Field field : schema.getFields()) {
                    sum = Math.min(sum + minimumSizeOf(field.schema()), 1 << 20);
                }
                return sum;
            }
            default:
                return 1;   // a varint: a value, a length, a count or a branch index
        }
    }

    /**
     * The blocks of an array or a map: a count, items, and again until a count of zero. A negative
     * count is followed by the block's size in bytes, which the skip walk jumps over and the read
     * ignores.
     */
    private static final class Blocks {

        @FunctionalInterface
        interface Container {
            Object create(int capacity);
        }

        @FunctionalInterface
        interface Item {
            /** Reads one item and adds it to {@code into}, unless that is null (the read has failed). */
            void read(Input in, Object into) throws Malformed, Undecided;
        }

        private final String where;
        private final int itemSize;
        private final Container container;
        private final Item item;

        Blocks(String where, int itemSize, Container container, Item item) {
            this.where = where;
            this.itemSize = itemSize;
            this.container = container;
            this.item = item;
        }

        Object read(Input in) throws Malformed, Undecided {
            Object result = null;
            long total = 0;
            for (long count = in.readLong(where); count != 0; count = in.readLong(where)) {
                long byteSize = count < 0 ? in.readLong(where) : -1;
                long items = count < 0 ? -count : count;   // Long.MIN_VALUE stays negative, as in Avro
                if (count < 0 && byteSize > in.left()) {
                    throw new Malformed(where + ": block of " + byteSize + " bytes, " + in.left() + " left");
                }
                if (in.readFailure == null) {
                    try {
                        total = SystemLimitException.checkMaxCollectionLength(total, items);
                    } catch (RuntimeException e) {
                        in.failRead(where + ": " + e.getMessage());
                    }
                }
                if (count > 0) {
                    if (items > in.left() / itemSize) {
                        // Each item takes at least itemSize bytes: the skip walk would run out.
                        throw new Malformed(where + ": block of " + items + " items, " + in.left() + " bytes left");
                    }
                    result = readItems(in, result, items);
                } else {
                    result = readSizedBlock(in, result, items, byteSize);
                }
            }
            return result != null ? result : in.readFailure == null ? container.create(0) : null;
        }

        private Object readItems(Input in, Object result, long items) throws Malformed, Undecided {
            if (result == null && in.readFailure == null) {
                result = container.create((int) items);   // bounded by the bytes left
            }
            for (long i = 0; i < items; i++) {
                item.read(in, in.readFailure == null ? result : null);
            }
            return result;
        }

        /** A block with a negative count: read its items where both walks agree on its end. */
        private Object readSizedBlock(Input in, Object result, long items, long byteSize)
                throws Malformed, Undecided {
            int start = in.pos;
            int end = start + (int) Math.max(0, byteSize);   // the skip walk's next position
            if (in.readFailure != null) {
                in.pos = end;
                return result;
            }
            if (items > in.left() / itemSize) {
                in.failRead(where + ": block of " + items + " items, " + in.left() + " bytes left");
                in.pos = end;
                return result;
            }
            try {
                result = readItems(in, result, items);
            } catch (Malformed e) {
                in.failRead(e.getMessage());   // the skip walk never looks at these items
            }
            if (in.readFailure != null) {
                in.pos = end;
            } else if (in.pos != end) {
                throw new Undecided(where + ": block of " + items + " items claims " + byteSize
                        + " bytes, its items take " + (in.pos - start));
            }
            return result;
        }
    }

    /** The bytes of one message and where the walk is; one per call. */
    private static final class Input {
        private final byte[] buf;
        private int pos;
        /** Why the read of the old path would fail, once it would; the skip walk goes on. */
        private String readFailure;

        Input(byte[] buf, int pos) {
            this.buf = buf;
            this.pos = pos;
        }

        int left() {
            return buf.length - pos;
        }

        void failRead(String why) {
            if (readFailure == null) {
                readFailure = why;
            }
        }

        private Malformed truncated(String where) {
            return new Malformed(where + ": truncated at byte " + pos);
        }

        /** Zig-zag varint of at most 5 bytes; bits beyond 32 in the fifth are dropped, as Avro does. */
        int readInt(String where) throws Malformed {
            int n = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                if (pos >= buf.length) {
                    throw truncated(where);
                }
                int b = buf[pos++] & 0xFF;
                n |= (b & 0x7F) << shift;
                if (b < 0x80) {
                    return (n >>> 1) ^ -(n & 1);
                }
            }
            throw new Malformed(where + ": invalid int encoding (more than 5 bytes)");
        }

        /** Zig-zag varint of at most 10 bytes; bits beyond 64 in the tenth are dropped, as Avro does. */
        long readLong(String where) throws Malformed {
            long n = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                if (pos >= buf.length) {
                    throw truncated(where);
                }
                int b = buf[pos++] & 0xFF;
                n |= (long) (b & 0x7F) << shift;
                if (b < 0x80) {
                    return (n >>> 1) ^ -(n & 1);
                }
            }
            throw new Malformed(where + ": invalid long encoding (more than 10 bytes)");
        }

        boolean readBoolean(String where) throws Malformed {
            if (pos >= buf.length) {
                throw truncated(where);
            }
            return buf[pos++] == 1;   // Avro reads any other byte as false
        }

        /** Little-endian IEEE bits of a float (4) or double (8). */
        long readFixedLong(int size, String where) throws Malformed {
            if (left() < size) {
                throw truncated(where);
            }
            long bits = 0;
            for (int i = 0; i < size; i++) {
                bits |= (buf[pos + i] & 0xFFL) << (8 * i);
            }
            pos += size;
            return bits;
        }

        String readString(String where) throws Malformed {
            int length = length(where, true);
            if (length <= 0) {
                return "";
            }
            String s = new String(buf, pos, length, StandardCharsets.UTF_8);
            pos += length;
            return s;
        }

        ByteBuffer readBytes(String where) throws Malformed {
            int length = length(where, false);
            byte[] bytes = Arrays.copyOfRange(buf, pos, pos + Math.max(0, length));
            pos += bytes.length;
            return ByteBuffer.wrap(bytes);
        }

        /**
         * A string or bytes length, checked against the bytes left before anything is allocated.
         * A negative one consumes nothing (the skip walk skips zero bytes) and fails the read.
         */
        private int length(String where, boolean string) throws Malformed {
            long length = readLong(where);
            if (length > left()) {
                throw new Malformed(where + ": " + (string ? "string" : "bytes") + " of " + length
                        + " bytes, " + left() + " left");
            }
            try {
                // Avro's read limits: negative lengths, and -Dorg.apache.avro.limits.* if set.
                if (string) {
                    SystemLimitException.checkMaxStringLength(length);
                } else {
                    SystemLimitException.checkMaxBytesLength(length);
                }
            } catch (RuntimeException e) {
                failRead(where + ": " + e.getMessage());
                pos += (int) Math.max(0, length);   // the skip walk goes over it
                return 0;
            }
            return (int) length;
        }
    }
}
