package io.harvester.secrets;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The values Harvester must never show: every value an {@code {{env:…}}} placeholder resolved to (a
 * token in a header, a key in a URL, any parameter), plus those registered explicitly. {@link #mask}
 * replaces them, as sent and URL-encoded, with {@value #MASK} in run rows and log lines, while the real
 * value still goes upstream.
 * <p>
 * Process-wide on purpose: the log layout that masks has no access to a Camel context.
 */
public final class Secrets {

    public static final String MASK = "xxxxxx";
    /** Shorter values (a port, a flag) are not secrets, and masking them would garble every line. */
    static final int MIN_LENGTH = 4;

    private static final Set<String> VALUES = ConcurrentHashMap.newKeySet();
    private static volatile List<String> ordered = List.of();

    private Secrets() {
    }

    public static synchronized void register(String value) {
        if (value == null || value.strip().length() < MIN_LENGTH) {
            return;
        }
        boolean added = VALUES.add(value);
        String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
        added |= !encoded.equals(value) && VALUES.add(encoded);
        if (added) {
            // longest first, so a secret containing another is masked whole
            ordered = VALUES.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
        }
    }

    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String masked = text;
        for (String secret : ordered) {
            if (masked.contains(secret)) {
                masked = masked.replace(secret, MASK);
            }
        }
        return masked;
    }
}
