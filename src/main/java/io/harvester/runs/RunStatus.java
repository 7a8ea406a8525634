package io.harvester.runs;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The values of {@code runs.status} and {@code run_steps.status} (docs/runs-api.md, "Runs"). The one place their
 * words are written, apart from the migrations' check constraints: Java holds the constants, a statement
 * gets the word as a parameter ({@link #word()}) or in its text through {@link #sql}. A constant shows as
 * its word, in messages, logs and JSON alike.
 */
public enum RunStatus {

    PENDING("pending"),
    RUNNING("running"),
    COMPLETED("completed"),
    PARTIAL("partial"),
    FAILED("failed"),
    SKIPPED("skipped"),
    /** Its process died (kill -9) or went silent: nobody can finish it. */
    ABANDONED("abandoned"),
    /** Cut off by a shutdown or a stopped route; a crawl continues it from its checkpoint. */
    INTERRUPTED("interrupted"),
    /** Stopped on request (a job's failure policy, the runs API); nothing of it is published. */
    CANCELLED("cancelled");

    private static final Map<String, RunStatus> BY_WORD = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(RunStatus::word, Function.identity()));
    /** {@code {RUNNING}}: a constant's name in a statement's text; {@code {LIVE}}: the live ones as a list. */
    private static final Pattern TOKEN = Pattern.compile("\\{([A-Z_]+)}");

    private final String word;

    RunStatus(String word) {
        this.word = word;
    }

    /** The word the database holds. */
    @JsonValue
    public String word() {
        return word;
    }

    /** The status a row holds; an unknown word is a broken row. */
    public static RunStatus of(String word) {
        RunStatus status = BY_WORD.get(word);
        if (status == null) {
            throw new IllegalArgumentException("not a run status: " + word);
        }
        return status;
    }

    /** Whether a run in this status is still live (it holds its pipeline). */
    public boolean isLive() {
        return this == PENDING || this == RUNNING;
    }

    /**
     * A statement's text with the status words written in: {@code {RUNNING}} becomes {@code 'running'}
     * and {@code {LIVE}} the live statuses as a list, {@code ('pending', 'running')}. Literal words, not
     * parameters, so that a partial index on the live statuses serves the statement (and
     * {@code on conflict} finds it). A name that is no constant fails at once.
     */
    public static String sql(String statement) {
        Matcher token = TOKEN.matcher(statement);
        StringBuilder text = new StringBuilder();
        while (token.find()) {
            String name = token.group(1);
            String words;
            if (name.equals("LIVE")) {
                words = Arrays.stream(values()).filter(RunStatus::isLive).map(RunStatus::quoted)
                        .collect(Collectors.joining(", ", "(", ")"));
            } else {
                words = Arrays.stream(values()).filter(s -> s.name().equals(name)).findFirst().map(RunStatus::quoted)
                        .orElseThrow(() -> new IllegalArgumentException("no run status " + name + " in: " + statement));
            }
            token.appendReplacement(text, Matcher.quoteReplacement(words));
        }
        return token.appendTail(text).toString();
    }

    private String quoted() {
        return "'" + word + "'";
    }

    @Override
    public String toString() {
        return word;
    }
}
