package dev.cgaudit.sink.archive;

import dev.cgaudit.schema.AttachDecision;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;

/**
 * Buckets decisions by their own time and node ({@link ArchiveLayout#bucket}), never by
 * processing time: a replay of last Tuesday reads last Tuesday's folder, however late the
 * decisions arrived.
 */
public final class DecisionBucketAssigner implements BucketAssigner<AttachDecision, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getBucketId(AttachDecision decision, Context context) {
        return ArchiveLayout.bucket(decision.getTimestamp(), decision.getNode());
    }

    @Override
    public SimpleVersionedSerializer<String> getSerializer() {
        return SimpleVersionedStringSerializer.INSTANCE;
    }
}
