package dev.cgaudit.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The policy a demo run applies: the bundled {@code demo-policy.yaml} (a copy of
 * {@code deploy/examples/demo-policy.yaml}) or {@code --policy FILE}, with every {@code subtree:}
 * and {@code writerCgroup:} under {@value ScratchCgroups#TEMPLATE_ROOT} moved under this run's
 * scratch root. Rules elsewhere stay as written. The result is written to a file and applied with
 * {@code cgaudit policy apply}, so what ran can be read afterwards.
 */
final class DemoPolicy {

    static final String BUNDLED = "demo-policy.yaml";

    /** A subtree value (after {@code subtree:}, {@code writerCgroup:} or a list dash) that is the template root or below it. */
    private static final Pattern TEMPLATE_PATH = Pattern.compile(
            "((?:subtree|writerCgroup)\\s*:\\s*(?:\\[\\s*)?|^\\s*-\\s*|,\\s*)" + Pattern.quote(ScratchCgroups.TEMPLATE_ROOT) + "(?=[/\\s,\\]#]|$)",
            Pattern.MULTILINE);

    private DemoPolicy() {
    }

    /** The template's text: the file given, or the bundled one. */
    static String template(Optional<Path> file) throws IOException {
        if (file.isPresent()) {
            return Files.readString(file.get(), StandardCharsets.UTF_8);
        }
        try (InputStream in = DemoPolicy.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException("the bundled " + BUNDLED + " is missing from the cgaudit jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** {@code template} with the template root replaced by {@code scratchRoot} in subtree values. */
    static String rooted(String template, String scratchRoot) {
        Matcher m = TEMPLATE_PATH.matcher(template);
        return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + scratchRoot));
    }

    /** Writes the rooted policy to {@code file}. */
    static Path write(Optional<Path> templateFile, String scratchRoot, Path file) {
        try {
            Files.writeString(file, rooted(template(templateFile), scratchRoot), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo policy to " + file, e);
        }
    }
}
