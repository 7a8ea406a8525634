package io.harvester.paging;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;
import io.harvester.http.AnswerFormatException;
import io.harvester.http.JsonField;

/**
 * The record count an API announces in its first answer ({@code totalField}), and the pages it makes at
 * {@code pageSize}: numbered pages always read it, offset pages when the answer has it. -1 for both until read.
 */
final class AnnouncedTotal {

    private final JsonField totalField;
    private final int pageSize;
    private long total = -1;
    private int pageCount = -1;

    AnnouncedTotal(JsonField totalField, int pageSize) {
        this.totalField = totalField;
        this.pageSize = pageSize;
    }

    /** Reads the total of the first answer; a missing or bad one fails, naming the field. */
    void read(JsonNode firstAnswer) {
        total = readTotal(firstAnswer, totalField);
        pageCount = pagesFor(total, pageSize);
    }

    /** Whether the answer carries the field at all. */
    boolean in(JsonNode answer) {
        return totalField.find(answer) != null;
    }

    long total() {
        return total;
    }

    int pageCount() {
        return pageCount;
    }

    /** Pages needed for a total; an empty result still has its one (empty) first page. */
    static int pagesFor(long total, int pageSize) {
        long pages = Math.max(1, (total + pageSize - 1) / pageSize);
        if (pages > Integer.MAX_VALUE) {
            throw new AnswerFormatException("total " + total + " needs more pages than an export can hold");
        }
        return (int) pages;
    }

    /** The total record count at {@code totalField} of the first answer: a whole number, 0 or more. */
    static long readTotal(JsonNode response, JsonField totalField) {
        JsonNode node = totalField.find(response);
        if (node == null) {
            throw new AnswerFormatException("field '" + totalField + "' (totalField) is missing in the first page");
        }
        try {
            BigDecimal value = node.isNumber() ? node.decimalValue() : new BigDecimal(node.asText().trim());
            long total = value.longValueExact();
            if (total < 0) {
                throw new AnswerFormatException("field '" + totalField + "' (totalField) is negative: " + total);
            }
            return total;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new AnswerFormatException("field '" + totalField + "' (totalField) is not a whole number: "
                    + abbreviate(node.toString()));
        }
    }

    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
