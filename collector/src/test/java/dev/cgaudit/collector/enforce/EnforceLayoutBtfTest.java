package dev.cgaudit.collector.enforce;

import static dev.cgaudit.collector.enforce.BpfEnforceLayout.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cgaudit.collector.decode.BtfRawDump;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * enforce.h as clang compiled it and BpfEnforceLayout must agree on every offset and size: a
 * mismatch would make the kernel read the allow-list wrong. Reads each enforcer object's BTF with
 * bpftool (no root); skipped, saying what is missing, without the objects or bpftool.
 */
class EnforceLayoutBtfTest {

    private static BtfRawDump btf(String object) throws Exception {
        Path path = Path.of("target/classes/dev/cgaudit/collector/bpf", object);
        assumeTrue(Files.isRegularFile(path), "no BPF object at " + path.toAbsolutePath() + ": the build skipped it");
        Process p;
        try {
            p = new ProcessBuilder("bpftool", "btf", "dump", "file", path.toString(), "format", "raw").redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "bpftool is not installed: " + e.getMessage());
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("bpftool: %s", out).isZero();
        return BtfRawDump.parse(out);
    }

    private static Map<String, long[]> of(Object... nameOffsetSize) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameOffsetSize.length; i += 3) {
            m.put((String) nameOffsetSize[i], new long[] {(Integer) nameOffsetSize[i + 1], (Integer) nameOffsetSize[i + 2]});
        }
        return m;
    }

    private static void assertStruct(BtfRawDump btf, String struct, Map<String, long[]> expected) {
        Map<String, long[]> actual = btf.layout(struct).orElseThrow(() -> new AssertionError("no struct " + struct + " in the BTF"));
        assertThat(actual.keySet()).as("members of %s", struct).containsExactlyElementsOf(expected.keySet());
        expected.forEach((member, offsetSize) -> assertThat(actual.get(member))
                .as("{offset, size} of %s.%s: C vs BpfEnforceLayout", struct, member).containsExactly(offsetSize));
    }

    @ParameterizedTest
    @ValueSource(strings = {"enforce_file.bpf.o", "enforce_attach.bpf.o"})
    void theMapLayoutsMatchBpfEnforceLayout(String object) throws Exception {
        BtfRawDump btf = btf(object);
        assertStruct(btf, "cga_enf_key", of("subtree_id", KEY_SUBTREE_ID, 8, "slot", KEY_SLOT, 4, "pad0", 12, 4,
                "sizeof", 0, KEY_SIZE));
        assertStruct(btf, "cga_enf_entry", of("fields", ENTRY_FIELDS, 4, "uid", ENTRY_UID, 4, "gid", ENTRY_GID, 4,
                "pad0", 12, 4, "exe_dev", ENTRY_EXE_DEV, 8, "exe_ino", ENTRY_EXE_INO, 8,
                "writer_cgroup_id", ENTRY_WRITER_CGROUP_ID, 8, "comm", ENTRY_COMM, COMM_LEN, "sizeof", 0, ENTRY_SIZE));
        assertStruct(btf, "cga_enf_rule", of("rule_version", RULE_VERSION, 8, "scope", RULE_SCOPE, 4,
                "n_entries", RULE_N_ENTRIES, 4, "rule_id", RULE_ID, RULE_ID_LEN, "entries", RULE_ENTRIES,
                MAX_ENTRIES * ENTRY_SIZE, "sizeof", 0, RULE_SIZE));
        assertStruct(btf, "cga_enf_denial", of("subtree_id", DENIAL_SUBTREE_ID, 8, "rule_version", DENIAL_RULE_VERSION, 8,
                "ktime_ns", DENIAL_KTIME_NS, 8, "slot", DENIAL_SLOT, 4, "err", DENIAL_ERR, 4, "sizeof", 0, DENIAL_SIZE));
    }
}
