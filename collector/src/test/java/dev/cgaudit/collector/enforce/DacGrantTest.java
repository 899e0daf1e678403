package dev.cgaudit.collector.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class DacGrantTest {

    private static final FileOwnership DELEGATED = new FileOwnership(65534, 65534, 0664);

    @Test
    void theGrantedUidBecomesTheOwnerAndNobodyElseMayWrite() {
        FileOwnership set = new DacGrant(OptionalLong.of(65533), OptionalLong.empty()).applyTo(DELEGATED);

        assertThat(set).isEqualTo(new FileOwnership(65533, 65534, 0644));
        assertThat(set.permitsWrite(65533, 1)).isTrue();
        assertThat(set.permitsWrite(65534, 65534)).as("the former owner, now only in the group").isFalse();
        assertThat(set.permitsWrite(1000, 1000)).isFalse();
    }

    @Test
    void aGrantedGidBecomesTheGroupWithWriteAndTheOwnerIsRoot() {
        FileOwnership set = new DacGrant(OptionalLong.empty(), OptionalLong.of(50)).applyTo(new FileOwnership(1000, 1000, 0646));

        assertThat(set).isEqualTo(new FileOwnership(0, 50, 0664));
        assertThat(set.permitsWrite(1000, 50)).isTrue();
        assertThat(set.permitsWrite(1000, 1000)).as("the former owner").isFalse();
    }

    @Test
    void readBitsAreKept() {
        assertThat(DacGrant.ROOT_ONLY.applyTo(new FileOwnership(5, 5, 0400)).mode()).isEqualTo(0600);
    }

    @Test
    void overlappingGrantsKeepOnlyWhatBothAllow() {
        DacGrant a = new DacGrant(OptionalLong.of(1), OptionalLong.of(7));
        DacGrant b = new DacGrant(OptionalLong.of(2), OptionalLong.of(7));

        assertThat(a.intersect(b)).isEqualTo(new DacGrant(OptionalLong.empty(), OptionalLong.of(7)));
        assertThat(a.intersect(a)).isEqualTo(a);
        assertThat(a.intersect(DacGrant.ROOT_ONLY)).isEqualTo(DacGrant.ROOT_ONLY);
    }
}
