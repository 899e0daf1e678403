package dev.cgaudit.processor.types;

import java.util.function.Supplier;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;

/**
 * A snapshot of one of the job's own serializers that accepts only a snapshot of its own class: a
 * format change gets a new subclass, and state written in the old format then fails to restore with
 * Flink's incompatible-serializer message instead of being read wrongly.
 */
abstract class SameFormatSnapshot<T> extends SimpleTypeSerializerSnapshot<T> {

    SameFormatSnapshot(Supplier<? extends TypeSerializer<T>> serializer) {
        super(serializer);
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> oldSnapshot) {
        return oldSnapshot.getClass() == getClass() ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : TypeSerializerSchemaCompatibility.incompatible();
    }
}
