package dev.cgaudit.schema.codec;

import java.util.List;
import org.apache.avro.Schema;

/**
 * A union of null and one other branch, in either order: the only union our schemas use (optional
 * fields), and the only one the compiled reader and writer compile.
 */
record NullableUnion(int nullBranch, int valueBranch, Schema value) {

    /** @throws UnsupportedOperationException for any other union (the caller then keeps Avro's code) */
    static NullableUnion of(Schema union, String where) {
        List<Schema> branches = union.getTypes();
        if (branches.size() != 2) {
            throw new UnsupportedOperationException("union of " + branches.size() + " at " + where);
        }
        int nullBranch = branches.get(0).getType() == Schema.Type.NULL ? 0
                : branches.get(1).getType() == Schema.Type.NULL ? 1 : -1;
        if (nullBranch < 0) {
            throw new UnsupportedOperationException("union without null at " + where);
        }
        return new NullableUnion(nullBranch, 1 - nullBranch, branches.get(1 - nullBranch));
    }
}
