package dev.cgaudit.processor.functions;

import dev.cgaudit.processor.EncodedDecision;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.codec.EventCodec;
import org.apache.flink.api.common.functions.MapFunction;

/** Decisions read as objects (replay files) into the form the job carries them in, encoded once. */
public final class DecisionEncoder implements MapFunction<AttachDecision, EncodedDecision> {

    private transient EventCodec<AttachDecision> codec;

    @Override
    public EncodedDecision map(AttachDecision decision) {
        if (codec == null) {
            codec = EventCodec.of(AttachDecision.class);
        }
        return EncodedDecision.of(decision, codec.encode(decision));
    }
}
