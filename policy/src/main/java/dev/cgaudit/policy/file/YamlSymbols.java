package dev.cgaudit.policy.file;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How schema enum symbols are spelt in policy files: lower-case kebab ({@code DENIAL_BURST} is
 * {@code denial-burst}, {@code OUT_OF} is {@code out-of}). One bijection, used both ways.
 */
public final class YamlSymbols {

    private YamlSymbols() {
    }

    public static String spell(Enum<?> symbol) {
        return symbol.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static <E extends Enum<E>> Optional<E> parse(Class<E> type, String text) {
        for (E symbol : type.getEnumConstants()) {
            if (spell(symbol).equals(text)) {
                return Optional.of(symbol);
            }
        }
        return Optional.empty();
    }

    public static <E extends Enum<E>> List<String> spellings(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(YamlSymbols::spell).toList();
    }
}
