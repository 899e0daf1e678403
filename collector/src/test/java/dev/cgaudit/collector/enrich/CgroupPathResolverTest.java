package dev.cgaudit.collector.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A temp folder stands in for the cgroup2 mount: ids are inode numbers there as on cgroupfs. */
class CgroupPathResolverTest {

    @TempDir
    Path mount;

    private static long ino(Path p) throws Exception {
        return ((Number) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    @Test
    void resolvesIdsToPathsRelativeToTheMountAndCachesThem() throws Exception {
        Path leaf = Files.createDirectories(mount.resolve("system.slice").resolve("nginx.service"));
        CgroupPathResolver resolver = new CgroupPathResolver(mount);
        assertThat(resolver.pathOf(ino(leaf)).path()).isEqualTo("/system.slice/nginx.service");
        assertThat(resolver.pathOf(ino(mount)).path()).isEqualTo("/");
        assertThat(resolver.pathOf(ino(leaf.getParent())).path()).isEqualTo("/system.slice");
        assertThat(resolver.walks()).isEqualTo(1);
    }

    @Test
    void aCgroupCreatedLaterIsFoundByWalkingAgain() throws Exception {
        CgroupPathResolver resolver = new CgroupPathResolver(mount);
        resolver.pathOf(ino(mount));
        Path later = Files.createDirectory(mount.resolve("later"));
        assertThat(resolver.pathOf(ino(later)).path()).isEqualTo("/later");
    }

    @Test
    void aRemovedCgroupGivesNoPathAndAReasonAndIsNotWalkedForAgainAtOnce() throws Exception {
        Path gone = Files.createDirectory(mount.resolve("gone"));
        long id = ino(gone);
        Files.delete(gone);
        long[] now = {0};
        CgroupPathResolver resolver = new CgroupPathResolver(mount, () -> now[0]);
        CgroupPathResolver.Resolution r = resolver.pathOf(id);
        assertThat(r.path()).isNull();
        assertThat(r.error()).contains("cgroup " + id).contains("removed before lookup");
        long walks = resolver.walks();
        resolver.pathOf(id);
        assertThat(resolver.walks()).as("a repeated miss within a second costs no walk").isEqualTo(walks);
        now[0] += 2_000_000_000L;
        resolver.pathOf(id);
        assertThat(resolver.walks()).isEqualTo(walks + 1);
    }

    @Test
    void learnedPathsNeedNoWalkAndPathsOffTheMountAreRejected() throws Exception {
        CgroupPathResolver resolver = new CgroupPathResolver(mount);
        resolver.learn(4242, "/from/the/tracepoint");
        assertThat(resolver.pathOf(4242).path()).isEqualTo("/from/the/tracepoint");
        assertThat(resolver.walks()).isZero();
        assertThat(resolver.relativePath(Path.of("/etc"))).isEmpty();
        assertThat(resolver.relativePath(mount.resolve("a/../b"))).contains("/b");
    }
}
