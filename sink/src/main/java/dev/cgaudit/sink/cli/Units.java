package dev.cgaudit.sink.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Command-line units: durations ({@code 500ms 10s 5m 1h}) and sizes ({@code 4096 64k 100m 1g}). */
final class Units {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmg]?)");

    private Units() {
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a duration like 500ms, 10s, 5m or 1h");
            }
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms": return Duration.ofMillis(n);
                case "s": return Duration.ofSeconds(n);
                case "m": return Duration.ofMinutes(n);
                default: return Duration.ofHours(n);
            }
        }
    }

    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a size like 4096, 64k, 100m or 1g");
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
