package dev.cgaudit.schema.codec;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.StatusEvent;
import java.util.List;
import org.apache.avro.Schema;

/** The schemas this build writes: the generated classes' own, in {@link SchemaStore#EVENT_NAMES} order. */
final class CurrentSchemas {

    static final List<Schema> ALL = List.of(
            AttachDecision.getClassSchema(),
            PolicyCommand.getClassSchema(),
            PolicyViolation.getClassSchema(),
            StatusEvent.getClassSchema());

    private CurrentSchemas() {
    }
}
