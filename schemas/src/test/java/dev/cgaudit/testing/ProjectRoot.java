package dev.cgaudit.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The root of the cgaudit source tree, for tests that check files outside their module. */
public final class ProjectRoot {

    private ProjectRoot() {
    }

    /**
     * The directory holding the reactor pom: {@code maven.multiModuleProjectDirectory} when the
     * test JVM was given it, otherwise the nearest ancestor of the working directory that has both
     * {@code pom.xml} and {@code deploy/} (Surefire runs tests in the module's directory).
     */
    public static Path find() {
        String fromMaven = System.getProperty("maven.multiModuleProjectDirectory");
        if (fromMaven != null && isRoot(Path.of(fromMaven))) {
            return Path.of(fromMaven).toAbsolutePath();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (isRoot(dir)) {
                return dir;
            }
        }
        throw new IllegalStateException("No cgaudit project root (pom.xml with modules and deploy/) above "
                + Path.of("").toAbsolutePath());
    }

    private static boolean isRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("deploy"))
                && Files.isDirectory(dir.resolve("schemas"));
    }
}
