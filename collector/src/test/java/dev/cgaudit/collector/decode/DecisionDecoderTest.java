package dev.cgaudit.collector.decode;

import static dev.cgaudit.collector.decode.RecordLayout.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cgaudit.collector.ring.RingRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DecisionDecoderTest {

    private final DecisionDecoder decoder = new DecisionDecoder();

    /** The decoder reads ring records in place; a test record is copied into one first. */
    private RawDecision decode(ByteBuffer buffer, int offset, int length) throws RecordDecodeException {
        return decoder.decode(RingRecord.copyOf(buffer, offset, length));
    }

    /** Builds a record byte by byte at the offsets of cgaudit.h, as the kernel would write it. */
    private static final class RecordBuilder {
        final ByteBuffer b = ByteBuffer.allocate(DECISION_SIZE).order(ByteOrder.nativeOrder());

        RecordBuilder() {
            b.put(HDR_TYPE, (byte) REC_DECISION);
            b.put(HDR_VERSION, (byte) ABI_VERSION);
            b.putInt(HDR_SIZE, DECISION_SIZE);
        }

        RecordBuilder u8(int at, int v) {
            b.put(at, (byte) v);
            return this;
        }

        RecordBuilder u16(int at, int v) {
            b.putShort(at, (short) v);
            return this;
        }

        RecordBuilder i32(int at, int v) {
            b.putInt(at, v);
            return this;
        }

        RecordBuilder i64(int at, long v) {
            b.putLong(at, v);
            return this;
        }

        RecordBuilder str(int at, String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            b.put(at, bytes);
            return this;
        }

        ByteBuffer build() {
            return b;
        }
    }

    private static RecordBuilder allowedProcsWrite() {
        return new RecordBuilder()
                .u16(HDR_FLAGS, F_ATTACHED | F_TARGET_PARSED | F_TARGET_FOUND | F_SRC_KNOWN | F_PATH_IS_DST)
                .i64(HDR_KTIME_NS, 123_456_789L)
                .i64(DST_CGROUP_ID, 44).i64(SRC_CGROUP_ID, 1).i64(WRITER_CGROUP_ID, 7)
                .i32(WRITER_PID, 1001).i32(WRITER_TGID, 1000).i32(WRITER_UID, 0xFFFFFFFE).i32(WRITER_GID, 5)
                .i32(TARGET_PID, 2000).i32(TARGET_TGID, 2000).i32(RET, 5)
                .u8(OP, OP_PROCS_WRITE).u8(STAGE, STAGE_WRITE).u8(THREADGROUP, 1).i32(DIRFD, 0)
                .str(WRITER_COMM, "sh").str(TARGET_COMM, "sleep").str(PATH, "/test/a");
    }

    @Test
    void decodesEveryFieldOfAValidRecord() throws Exception {
        RawDecision d = decode(allowedProcsWrite().build(), 0, DECISION_SIZE);

        assertThat(d.ktimeNs()).isEqualTo(123_456_789L);
        assertThat(d.dstCgroupId()).isEqualTo(44);
        assertThat(d.srcCgroupId()).isEqualTo(1);
        assertThat(d.writerCgroupId()).isEqualTo(7);
        assertThat(d.writerPid()).isEqualTo(1001);
        assertThat(d.writerTgid()).isEqualTo(1000);
        assertThat(d.writerUid()).as("u32 read unsigned").isEqualTo(4294967294L);
        assertThat(d.writerGid()).isEqualTo(5);
        assertThat(d.targetPid()).isEqualTo(2000);
        assertThat(d.targetTgid()).isEqualTo(2000);
        assertThat(d.ret()).isEqualTo(5);
        assertThat(d.allowed()).isTrue();
        assertThat(d.errno()).isZero();
        assertThat(d.op()).isEqualTo(OP_PROCS_WRITE);
        assertThat(d.stage()).isEqualTo(STAGE_WRITE);
        assertThat(d.threadgroup()).isTrue();
        assertThat(d.writerComm()).isEqualTo("sh");
        assertThat(d.targetComm()).isEqualTo("sleep");
        assertThat(d.path()).isEqualTo("/test/a");
        assertThat(d.has(F_ATTACHED)).isTrue();
        assertThat(d.has(F_PATH_IS_FILE)).isFalse();
    }

    @Test
    void decodesADenialAtOpenWithItsErrnoAndDirfd() throws Exception {
        ByteBuffer buf = allowedProcsWrite().u16(HDR_FLAGS, F_PATH_IS_FILE).i32(RET, -13)
                .u8(STAGE, STAGE_OPEN).i32(DIRFD, -100).i32(TARGET_PID, -1).build();

        RawDecision d = decode(buf, 0, DECISION_SIZE);

        assertThat(d.allowed()).isFalse();
        assertThat(d.errno()).isEqualTo(13);
        assertThat(d.stage()).isEqualTo(STAGE_OPEN);
        assertThat(d.dirfd()).isEqualTo(-100);
        assertThat(d.targetPid()).isEqualTo(-1);
    }

    @Test
    void readsAtAnOffsetWithoutMovingTheBuffer() throws Exception {
        ByteBuffer big = ByteBuffer.allocate(64 + DECISION_SIZE);
        big.put(64, allowedProcsWrite().build(), 0, DECISION_SIZE);
        big.position(3).limit(10);

        RawDecision d = decode(big, 64, DECISION_SIZE);

        assertThat(d.targetComm()).isEqualTo("sleep");
        assertThat(big.position()).isEqualTo(3);
        assertThat(big.limit()).isEqualTo(10);
    }

    @Test
    void rejectsAnUnknownRecordType() {
        ByteBuffer buf = allowedProcsWrite().u8(HDR_TYPE, 9).build();
        assertThatThrownBy(() -> decode(buf, 0, DECISION_SIZE))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("unknown record type 9");
    }

    @Test
    void rejectsAnotherAbiVersion() {
        ByteBuffer buf = allowedProcsWrite().u8(HDR_VERSION, ABI_VERSION + 1).build();
        assertThatThrownBy(() -> decode(buf, 0, DECISION_SIZE))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("ABI version " + (ABI_VERSION + 1));
    }

    @Test
    void rejectsASizeOtherThanTheDecisionSize() {
        ByteBuffer claimsMore = allowedProcsWrite().i32(HDR_SIZE, DECISION_SIZE + 8).build();
        assertThatThrownBy(() -> decode(claimsMore, 0, DECISION_SIZE))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("claims " + (DECISION_SIZE + 8));
        ByteBuffer full = allowedProcsWrite().build();
        assertThatThrownBy(() -> decode(full, 0, DECISION_SIZE - 8))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("in a record of " + (DECISION_SIZE - 8));
    }

    @Test
    void rejectsARecordShorterThanTheHeaderOrOutsideTheBuffer() {
        ByteBuffer full = allowedProcsWrite().build();
        assertThatThrownBy(() -> decode(full, 0, HEADER_SIZE - 1))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("shorter than");
        // a range outside the source never becomes a record at all
        assertThatThrownBy(() -> decode(full, 8, DECISION_SIZE))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void rejectsAnUnterminatedString() {
        ByteBuffer buf = allowedProcsWrite().str(WRITER_COMM, "0123456789abcdef").build();
        assertThatThrownBy(() -> decode(buf, 0, DECISION_SIZE))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("writer_comm is not NUL-terminated");
        ByteBuffer path = allowedProcsWrite().str(PATH, "x".repeat(PATH_LEN)).build();
        assertThatThrownBy(() -> decode(path, 0, DECISION_SIZE))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("path is not NUL-terminated");
    }

    @Test
    void rejectsAnOutOfRangeOperationOrStage() {
        ByteBuffer op = allowedProcsWrite().u8(OP, OP_CLONE_INTO_CGROUP + 1).build();
        assertThatThrownBy(() -> decode(op, 0, DECISION_SIZE))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("unknown operation 3");
        ByteBuffer stage = allowedProcsWrite().u8(STAGE, 0xFF).build();
        assertThatThrownBy(() -> decode(stage, 0, DECISION_SIZE))
                .isInstanceOf(RecordDecodeException.class).hasMessageContaining("unknown stage 255");
    }
}
