package dev.cgaudit.policy.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Units on the command line, the same for every cgaudit command: durations as people write them
 * ({@code 500ms 10s 5m 1h 2d}, or ISO-8601 like {@code PT30S}) and byte sizes ({@code 4096 64k
 * 512m 1g}, powers of 1024). Lives here because every module with commands depends on policy.
 */
public final class CliUnits {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmg]?)b?");

    private CliUnits() {
    }

    /** picocli converter for {@link Duration} options. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            String value = text.trim();
            Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "ms": return Duration.ofMillis(n);
                    case "s": return Duration.ofSeconds(n);
                    case "m": return Duration.ofMinutes(n);
                    case "h": return Duration.ofHours(n);
                    default: return Duration.ofDays(n);
                }
            }
            try {
                return Duration.parse(value);
            } catch (RuntimeException e) {
                throw new TypeConversionException("'" + text + "' is not a duration; expected e.g. 500ms, 10s, 5m, 1h or PT30S");
            }
        }
    }

    /** picocli converter for byte-size options. */
    public static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("'" + text + "' is not a size; expected e.g. 4096, 64k, 512m, 1g");
            }
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "k": return n << 10;
                case "m": return n << 20;
                case "g": return n << 30;
                default: return n;
            }
        }
    }
}
