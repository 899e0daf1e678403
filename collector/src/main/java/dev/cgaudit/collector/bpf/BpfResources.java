package dev.cgaudit.collector.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads the BPF objects that build.sh packages as classpath resources. */
public final class BpfResources {

    private static final String DIR = "/dev/cgaudit/collector/bpf/";

    private BpfResources() {
    }

    /**
     * The bytes of {@code name} (e.g. "cgaudit.bpf.o").
     *
     * @throws BpfObjectMissingException when the build did not produce it, with the build's reason
     */
    public static byte[] read(String name) throws BpfObjectMissingException {
        try (InputStream in = BpfResources.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new BpfObjectMissingException(name, skipReason());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading classpath resource " + DIR + name, e);
        }
    }

    private static String skipReason() {
        try (InputStream in = BpfResources.class.getResourceAsStream(DIR + "BUILD-SKIPPED.txt")) {
            if (in == null) {
                return "no " + DIR + "*.bpf.o on the classpath and no record of why (was src/main/bpf/build.sh run?)";
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "no BPF object on the classpath (" + e.getMessage() + ")";
        }
    }
}
