package dev.cgaudit.schema.codec;

import org.apache.avro.SystemLimitException;

/**
 * The blocks of an array or a map: a count, items, and again until a count of zero. A negative
 * count is followed by the block's size in bytes, which the skip walk jumps over and the read
 * ignores.
 */
final class BlockReader {

    @FunctionalInterface
    interface Container {
        Object create(int capacity);
    }

    @FunctionalInterface
    interface Item {
        /** Reads one item and adds it to {@code into}, unless that is null (the read has failed). */
        void read(BodyInput in, Object into) throws BodyInput.Malformed, CompiledDatumReader.Undecided;
    }

    private final String where;
    private final int itemSize;
    private final Container container;
    private final Item item;

    BlockReader(String where, int itemSize, Container container, Item item) {
        this.where = where;
        this.itemSize = itemSize;
        this.container = container;
        this.item = item;
    }

    Object read(BodyInput in) throws BodyInput.Malformed, CompiledDatumReader.Undecided {
        Object result = null;
        long total = 0;
        for (long count = in.readLong(where); count != 0; count = in.readLong(where)) {
            long byteSize = count < 0 ? in.readLong(where) : -1;
            long items = count < 0 ? -count : count;   // Long.MIN_VALUE stays negative, as in Avro
            if (count < 0 && byteSize > in.left()) {
                throw new BodyInput.Malformed(where + ": block of " + byteSize + " bytes, " + in.left() + " left");
            }
            if (!in.readFailed()) {
                try {
                    total = SystemLimitException.checkMaxCollectionLength(total, items);
                } catch (RuntimeException e) {
                    in.failRead(where + ": " + e.getMessage());
                }
            }
            if (count > 0) {
                if (items > in.left() / itemSize) {
                    // Each item takes at least itemSize bytes: the skip walk would run out.
                    throw new BodyInput.Malformed(
                            where + ": block of " + items + " items, " + in.left() + " bytes left");
                }
                result = readItems(in, result, items);
            } else {
                result = readSizedBlock(in, result, items, byteSize);
            }
        }
        return result != null ? result : !in.readFailed() ? container.create(0) : null;
    }

    private Object readItems(BodyInput in, Object result, long items)
            throws BodyInput.Malformed, CompiledDatumReader.Undecided {
        if (result == null && !in.readFailed()) {
            result = container.create((int) items);   // bounded by the bytes left
        }
        for (long i = 0; i < items; i++) {
            item.read(in, !in.readFailed() ? result : null);
        }
        return result;
    }

    /** A block with a negative count: read its items where both walks agree on its end. */
    private Object readSizedBlock(BodyInput in, Object result, long items, long byteSize)
            throws BodyInput.Malformed, CompiledDatumReader.Undecided {
        if (in.afterStructureWalk) {
            if (items > in.left() / itemSize) {
                throw new BodyInput.Malformed(where + ": block of " + items + " items, " + in.left() + " bytes left");
            }
            return readItems(in, result, items);
        }
        int start = in.pos;
        int end = start + (int) Math.max(0, byteSize);   // the skip walk's next position
        if (in.readFailed()) {
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
        } catch (BodyInput.Malformed e) {
            in.failRead(e.getMessage());   // the skip walk never looks at these items
        }
        if (in.readFailed()) {
            in.pos = end;
        } else if (in.pos != end) {
            throw new CompiledDatumReader.Undecided(where + ": block of " + items + " items claims " + byteSize
                    + " bytes, its items take " + (in.pos - start));
        }
        return result;
    }
}
