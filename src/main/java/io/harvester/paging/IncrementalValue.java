package io.harvester.paging;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A value of an export's {@code incrementalField}, or a bound of its window: an ISO-8601 date-time with an offset
 * ({@code 2026-12-07T10:15:00Z}, compared as instants), one without ({@code 2026-12-07T10:15:00}), a date, or an
 * epoch number (seconds, or milliseconds from 12 digits on). Values compare within their form only: an API that
 * mixes forms is refused rather than ordered by a guess. The text is kept as the API wrote it, and sent back so.
 */
final class IncrementalValue implements Comparable<IncrementalValue> {

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");
    // 12 digits and more: epoch milliseconds (1e11 seconds is the year 5138; 1e11 milliseconds is 1973)
    private static final BigDecimal MILLIS_FROM = new BigDecimal("100000000000");

    private enum Form { NUMBER, OFFSET_DATE_TIME, LOCAL_DATE_TIME, DATE }

    private final String text;
    private final Form form;
    private final Object value;

    private IncrementalValue(String text, Form form, Object value) {
        this.text = text;
        this.form = form;
        this.value = value;
    }

    /** Parses a value; a text of none of the forms is refused, naming it. */
    static IncrementalValue parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        if (NUMBER.matcher(trimmed).matches()) {
            return new IncrementalValue(trimmed, Form.NUMBER, new BigDecimal(trimmed));
        }
        try {
            return new IncrementalValue(trimmed, Form.OFFSET_DATE_TIME, OffsetDateTime.parse(trimmed));
        } catch (DateTimeParseException notWithOffset) {
            // the next form
        }
        try {
            return new IncrementalValue(trimmed, Form.LOCAL_DATE_TIME, LocalDateTime.parse(trimmed));
        } catch (DateTimeParseException notLocal) {
            // the next form
        }
        try {
            return new IncrementalValue(trimmed, Form.DATE, LocalDate.parse(trimmed));
        } catch (DateTimeParseException notADate) {
            throw new IllegalArgumentException("'" + trimmed + "' is not an ISO-8601 date-time, a date or an epoch number");
        }
    }

    /** A record's value: a JSON number or string; null, absent or another type is refused. */
    static IncrementalValue of(JsonNode node) {
        if (node == null) {
            throw new IllegalArgumentException("it is missing or null");
        }
        if (node.isNumber()) {
            return parse(node.isIntegralNumber() ? node.bigIntegerValue().toString() : node.decimalValue().toPlainString());
        }
        if (node.isTextual()) {
            return parse(node.textValue());
        }
        throw new IllegalArgumentException("it is a " + node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                + ", not a date-time, a date or an epoch number");
    }

    /** This value less {@code lookback}, in the same form (a date by whole days, rounded up; a number as epoch seconds or ms). */
    IncrementalValue minus(Duration lookback) {
        if (lookback.isZero()) {
            return this;
        }
        return switch (form) {
            case NUMBER -> {
                BigDecimal number = (BigDecimal) value;
                BigDecimal less = number.abs().compareTo(MILLIS_FROM) >= 0
                        ? BigDecimal.valueOf(lookback.toMillis())
                        : BigDecimal.valueOf(lookback.toMillis()).movePointLeft(3).stripTrailingZeros();
                yield parse(number.subtract(less).toPlainString());
            }
            case OFFSET_DATE_TIME -> parse(((OffsetDateTime) value).minus(lookback).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
            case LOCAL_DATE_TIME -> parse(((LocalDateTime) value).minus(lookback).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
            case DATE -> parse(((LocalDate) value).minusDays((lookback.toSeconds() + 86_399) / 86_400).toString());
        };
    }

    @Override
    public int compareTo(IncrementalValue other) {
        if (form != other.form) {
            throw new IllegalArgumentException("'" + text + "' and '" + other.text + "' are not of one form (" + describe()
                    + ", " + other.describe() + "): they cannot be ordered");
        }
        return switch (form) {
            case NUMBER -> ((BigDecimal) value).compareTo((BigDecimal) other.value);
            case OFFSET_DATE_TIME -> ((OffsetDateTime) value).toInstant().compareTo(((OffsetDateTime) other.value).toInstant());
            case LOCAL_DATE_TIME -> ((LocalDateTime) value).compareTo((LocalDateTime) other.value);
            case DATE -> ((LocalDate) value).compareTo((LocalDate) other.value);
        };
    }

    /** Refuses {@code other} when it is not of this value's form, naming both. */
    void requireSameForm(IncrementalValue other) {
        compareTo(other);
    }

    /** The greater of the two; either may be null. */
    static IncrementalValue max(IncrementalValue a, IncrementalValue b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.compareTo(b) >= 0 ? a : b;
    }

    private String describe() {
        return switch (form) {
            case NUMBER -> "an epoch number";
            case OFFSET_DATE_TIME -> "a date-time with an offset";
            case LOCAL_DATE_TIME -> "a date-time without an offset";
            case DATE -> "a date";
        };
    }

    /** The value as written. */
    String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IncrementalValue other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
