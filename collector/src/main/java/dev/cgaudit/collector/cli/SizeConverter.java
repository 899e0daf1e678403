package dev.cgaudit.collector.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Byte sizes: 4096, 64k, 512m, 1g (powers of 1024). */
public final class SizeConverter implements ITypeConverter<Long> {

    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmgKMG]?)[bB]?");

    @Override
    public Long convert(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a size; expected e.g. 4096, 64k, 512m, 1g");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2).toLowerCase()) {
            case "k": return n << 10;
            case "m": return n << 20;
            case "g": return n << 30;
            default: return n;
        }
    }
}
