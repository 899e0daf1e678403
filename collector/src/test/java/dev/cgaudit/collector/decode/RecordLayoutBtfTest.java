package dev.cgaudit.collector.decode;

import static dev.cgaudit.collector.decode.RecordLayout.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The C layout (cgaudit.h, as clang compiled it into cgaudit.bpf.o) and the Java mirror
 * (RecordLayout) must agree on every member's offset and size and on the struct sizes. Reads the
 * object's BTF with bpftool, so it needs no root. Skipped, saying what is missing, when the build
 * produced no object or bpftool is not installed.
 */
class RecordLayoutBtfTest {

    private static final Path OBJECT = Path.of("target/classes/dev/cgaudit/collector/bpf/cgaudit.bpf.o");

    private static BtfRawDump btf;

    /** Member name → {offset, size} in bytes, as RecordLayout states them. */
    private static Map<String, long[]> header() {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("type", new long[] {HDR_TYPE, 1});
        m.put("version", new long[] {HDR_VERSION, 1});
        m.put("flags", new long[] {HDR_FLAGS, 2});
        m.put("size", new long[] {HDR_SIZE, 4});
        m.put("ktime_ns", new long[] {HDR_KTIME_NS, 8});
        return m;
    }

    private static Map<String, long[]> decision() {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("hdr", new long[] {0, HEADER_SIZE});
        m.put("dst_cgroup_id", new long[] {DST_CGROUP_ID, 8});
        m.put("src_cgroup_id", new long[] {SRC_CGROUP_ID, 8});
        m.put("writer_cgroup_id", new long[] {WRITER_CGROUP_ID, 8});
        m.put("writer_pid", new long[] {WRITER_PID, 4});
        m.put("writer_tgid", new long[] {WRITER_TGID, 4});
        m.put("writer_uid", new long[] {WRITER_UID, 4});
        m.put("writer_gid", new long[] {WRITER_GID, 4});
        m.put("target_pid", new long[] {TARGET_PID, 4});
        m.put("target_tgid", new long[] {TARGET_TGID, 4});
        m.put("ret", new long[] {RET, 4});
        m.put("op", new long[] {OP, 1});
        m.put("stage", new long[] {STAGE, 1});
        m.put("threadgroup", new long[] {THREADGROUP, 1});
        m.put("pad0", new long[] {THREADGROUP + 1, 1});
        m.put("dirfd", new long[] {DIRFD, 4});
        m.put("pad1", new long[] {DIRFD + 4, 4});
        m.put("writer_comm", new long[] {WRITER_COMM, COMM_LEN});
        m.put("target_comm", new long[] {TARGET_COMM, COMM_LEN});
        m.put("path", new long[] {PATH, PATH_LEN});
        return m;
    }

    @BeforeAll
    static void readBtf() throws Exception {
        assumeTrue(Files.isRegularFile(OBJECT), "no BPF object at " + OBJECT.toAbsolutePath()
                + ": the build skipped it (see target/classes/dev/cgaudit/collector/bpf/BUILD-SKIPPED.txt)");
        Process p;
        try {
            p = new ProcessBuilder("bpftool", "btf", "dump", "file", OBJECT.toString(), "format", "raw")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "bpftool is not installed (apt-get install -y bpftool): " + e.getMessage());
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("bpftool finished").isTrue();
        assertThat(p.exitValue()).as("bpftool btf dump: %s", out).isZero();
        btf = BtfRawDump.parse(out);
    }

    @Test
    void headerMatchesRecordLayout() {
        assertLayout("cga_header", header(), HEADER_SIZE);
    }

    @Test
    void decisionMatchesRecordLayout() {
        assertLayout("cga_decision", decision(), DECISION_SIZE);
    }

    private static void assertLayout(String struct, Map<String, long[]> expected, int size) {
        BtfRawDump.Type t = btf.struct(struct).orElseThrow(
                () -> new AssertionError("struct " + struct + " is not in the BTF of " + OBJECT));
        assertThat(btf.sizeOf(t.id())).as("sizeof(struct %s)", struct).isEqualTo(size);
        Map<String, long[]> actual = new LinkedHashMap<>();
        for (BtfRawDump.Member m : t.members()) {
            assertThat(m.bitsOffset() % 8).as("%s.%s is a bitfield", struct, m.name()).isZero();
            actual.put(m.name(), new long[] {m.bitsOffset() / 8, btf.sizeOf(m.typeId())});
        }
        assertThat(actual.keySet()).as("members of struct %s, in order", struct)
                .containsExactlyElementsOf(expected.keySet());
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            assertThat(actual.get(e.getKey())).as("{offset, size} of %s.%s: C vs RecordLayout", struct, e.getKey())
                    .containsExactly(e.getValue());
        }
    }
}
