package dev.cgaudit.sink.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** One {@code --to}: {@code file:PATH} or an {@code http(s)://} URL. */
sealed interface Target permits Target.File, Target.Webhook {

    record File(Path path) implements Target {
    }

    record Webhook(URI uri) implements Target {
    }

    /** Parses a {@code --to} value; the message of the exception says what is accepted. */
    static Target parse(String value) {
        if (value.startsWith("file:")) {
            String path = value.substring("file:".length());
            if (path.isEmpty()) {
                throw new IllegalArgumentException("--to file: needs a path, e.g. file:/var/log/cgaudit/findings.jsonl");
            }
            return new File(Path.of(path));
        }
        if (value.startsWith("http://") || value.startsWith("https://")) {
            try {
                URI uri = new URI(value);
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("--to '" + value + "': the URL has no host");
                }
                return new Webhook(uri);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("--to '" + value + "' is not a valid URL: " + e.getReason());
            }
        }
        throw new IllegalArgumentException("--to '" + value + "': expected file:PATH, http://URL or https://URL");
    }
}
