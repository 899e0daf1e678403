package dev.cgaudit.processor.replay;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.base.source.reader.SourceReaderOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class ReplayEnvironmentTest {

    @Test
    void a_replay_shuffles_uncompressed_does_not_wait_out_stuck_fetchers_and_keeps_what_the_caller_sets() {
        Configuration extra = new Configuration();
        extra.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("256m"));
        StreamExecutionEnvironment env = ReplayJob.environment(3, extra);

        assertThat(env.getParallelism()).isEqualTo(3);
        Configuration config = (Configuration) env.getConfiguration();
        assertThat(config.get(NettyShuffleEnvironmentOptions.SHUFFLE_COMPRESSION_CODEC))
                .isEqualTo(NettyShuffleEnvironmentOptions.CompressionCodec.NONE);
        assertThat(config.get(SourceReaderOptions.SOURCE_READER_CLOSE_TIMEOUT)).isEqualTo(ReplayJob.SOURCE_CLOSE_TIMEOUT_MS);
        assertThat(config.get(TaskManagerOptions.MANAGED_MEMORY_SIZE)).isEqualTo(MemorySize.parse("256m"));
    }
}
