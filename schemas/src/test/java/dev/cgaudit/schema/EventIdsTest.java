package dev.cgaudit.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void an_id_is_node_boot_and_seq_joined_by_slashes() {
        assertThat(EventIds.of("node-a", "9f1c", 17)).isEqualTo("node-a/9f1c/17");
    }

    @Test
    void is_of_agrees_with_comparing_to_the_built_id() {
        List<String> ids = List.of("n/b/0", "n/b/7", "n/b/07", "n/b/+7", "n/b/-7", "n/b/70", "n/b7", "n//b/7", "n/b//7",
                "m/b/7", "n/c/7", "nn/b/7", "n/bb/7", "n/b/9223372036854775807", "n/b/-9223372036854775808", "", "n/b/",
                "n/b/7 ", "ä/😀/7", "n/b/１");
        List<String> nodes = List.of("n", "nn", "m", "ä", "");
        List<String> boots = List.of("b", "bb", "c", "😀", "");
        long[] seqs = {0, 7, 70, -7, 1, Long.MAX_VALUE, Long.MIN_VALUE};
        for (String id : ids) {
            for (String node : nodes) {
                for (String boot : boots) {
                    for (long seq : seqs) {
                        assertThat(EventIds.isOf(id, node, boot, seq)).as("%s vs %s %s %d", id, node, boot, seq)
                                .isEqualTo(id.equals(EventIds.of(node, boot, seq)));
                    }
                }
            }
        }
    }

    @Test
    void is_of_agrees_with_comparing_to_the_built_id_for_random_seqs() {
        Random random = new Random(20261129);
        for (int i = 0; i < 100_000; i++) {
            long seq = i % 3 == 0 ? random.nextLong() : random.nextInt(1 << 20);
            long other = random.nextBoolean() ? seq : seq + (random.nextBoolean() ? 1 : 10);
            String id = EventIds.of("n" + i % 5, "boot", other);
            assertThat(EventIds.isOf(id, "n" + i % 5, "boot", seq)).as(id + " vs " + seq).isEqualTo(other == seq);
        }
    }
}
