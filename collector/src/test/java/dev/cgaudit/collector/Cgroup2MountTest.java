package dev.cgaudit.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class Cgroup2MountTest {

    /** A hybrid host (Debian 12 here): v1 controllers under /sys/fs/cgroup, v2 at .../unified. */
    private static final String HYBRID = String.join("\n",
            "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw",
            "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
            "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
            "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
            "");

    /** A unified host with optional fields (shared:N master:N) before the separator. */
    private static final String UNIFIED = String.join("\n",
            "25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw",
            "26 25 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:8 master:1 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot");

    @Test
    void findsTheUnifiedMountOfAHybridHost() {
        assertThat(Cgroup2Mount.parse(HYBRID)).contains(Path.of("/sys/fs/cgroup/unified"));
    }

    @Test
    void skipsOptionalFieldsBeforeTheSeparator() {
        assertThat(Cgroup2Mount.parse(UNIFIED)).contains(Path.of("/sys/fs/cgroup"));
    }

    @Test
    void prefersTheHierarchyRootOverABindMountOfASubCgroup() {
        String text = "50 40 0:30 /system.slice /run/sub rw - cgroup2 cgroup2 rw\n"
                + "51 40 0:30 / /mnt/cg2 rw - cgroup2 cgroup2 rw\n";
        assertThat(Cgroup2Mount.parse(text)).contains(Path.of("/mnt/cg2"));
    }

    @Test
    void fallsBackToASubtreeMountWhenThatIsAllThereIs() {
        assertThat(Cgroup2Mount.parse("50 40 0:30 /system.slice /run/sub rw - cgroup2 cgroup2 rw"))
                .contains(Path.of("/run/sub"));
    }

    @Test
    void decodesOctalEscapesInTheMountPoint() {
        assertThat(Cgroup2Mount.parse("60 1 0:40 / /mnt/my\\040cgroups\\134x rw - cgroup2 none rw"))
                .contains(Path.of("/mnt/my cgroups\\x"));
    }

    @Test
    void emptyWithoutACgroup2Mount() {
        assertThat(Cgroup2Mount.parse("32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n")).isEmpty();
        assertThat(Cgroup2Mount.parse("")).isEmpty();
    }

    @Test
    void aSourceNamedCgroup2IsNotTheFilesystemType() {
        assertThat(Cgroup2Mount.parse("70 1 0:41 / /mnt/x rw - tmpfs cgroup2 rw")).isEmpty();
    }

    @Test
    void findsTheMountOfThisMachine() {
        // Real /proc/self/mountinfo: whatever it says, find() must agree with parse() on it.
        assertThat(Cgroup2Mount.find()).isEqualTo(Cgroup2Mount.parse(readMountinfo()));
    }

    private static String readMountinfo() {
        try {
            return String.join("\n", java.nio.file.Files.readAllLines(Cgroup2Mount.MOUNTINFO));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
