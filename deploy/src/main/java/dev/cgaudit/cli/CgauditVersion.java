package dev.cgaudit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** Version of this build and of the components it was built against (from the Maven build). */
public final class CgauditVersion implements IVersionProvider {

    private static final String RESOURCE = "/dev/cgaudit/cli/version.properties";

    /** The cgaudit version alone, e.g. for StatusEvent.version. */
    public static String version() {
        return load().getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        Properties p = load();
        return new String[] {
            "cgaudit " + p.getProperty("version", "unknown"),
            "built with Flink " + p.getProperty("flink") + ", Kafka clients " + p.getProperty("kafka")
                    + ", Avro " + p.getProperty("avro"),
            "running on Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
        };
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = CgauditVersion.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return p;
    }
}
