package io.harvester.http;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an API's own rate-limit headers say about the next request: when the budget is used up, how long to
 * wait for its reset, instead of earning a 429. Read from {@code X-RateLimit-Remaining} with
 * {@code X-RateLimit-Reset} (seconds to the reset, or the epoch second of it), the IETF draft's
 * {@code RateLimit-Remaining} with {@code RateLimit-Reset} (seconds), and its structured {@code RateLimit} field
 * ({@code "default";r=0;t=2} or {@code limit=100, remaining=0, reset=2}). A budget left, or headers missing or
 * unreadable, say nothing.
 */
public final class RateBudget {

    /** A reset larger than this is an epoch second, not a number of seconds from now (about 3 years). */
    private static final long EPOCH_SECONDS_FROM = 100_000_000L;
    private static final Pattern REMAINING = Pattern.compile("(?:^|[;,\\s])(?:r|remaining)=(\\d+)");
    private static final Pattern RESET = Pattern.compile("(?:^|[;,\\s])(?:t|reset)=(\\d+)");

    private RateBudget() {
    }

    /**
     * Milliseconds to wait before the next request, when the headers say the budget is used up; empty otherwise.
     * {@code header} gives a response header's value by name (any letter case), null when absent.
     */
    public static OptionalLong waitMillis(Function<String, String> header, long nowMillis) {
        OptionalLong wait = pair(header.apply("X-RateLimit-Remaining"), header.apply("X-RateLimit-Reset"), nowMillis);
        if (wait.isPresent()) {
            return wait;
        }
        wait = pair(header.apply("RateLimit-Remaining"), header.apply("RateLimit-Reset"), nowMillis);
        if (wait.isPresent()) {
            return wait;
        }
        String structured = header.apply("RateLimit");
        if (structured == null) {
            return OptionalLong.empty();
        }
        String field = structured.toLowerCase(Locale.ROOT);
        Matcher remaining = REMAINING.matcher(field);
        Matcher reset = RESET.matcher(field);
        return remaining.find() && reset.find() ? pair(remaining.group(1), reset.group(1), nowMillis) : OptionalLong.empty();
    }

    private static OptionalLong pair(String remaining, String reset, long nowMillis) {
        Long left = number(remaining);
        Long at = number(reset);
        if (left == null || at == null || left > 0) {
            return OptionalLong.empty();
        }
        long millis = at >= EPOCH_SECONDS_FROM ? at * 1000 - nowMillis : at * 1000;
        return OptionalLong.of(Math.max(0, millis));
    }

    private static Long number(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value.trim().split("[,;\\s]", 2)[0]);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
