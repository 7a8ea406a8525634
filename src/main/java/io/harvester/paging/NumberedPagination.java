package io.harvester.paging;

import io.harvester.http.AnswerFormatException;
import io.harvester.http.JsonField;
import io.harvester.http.QueryStrings;
import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code ?page=N&size=S} APIs whose first answer carries the total record count: the first page is
 * fetched alone, then every other page is known and may be fetched concurrently.
 */
final class NumberedPagination implements Pagination {

    private final String url;
    private final String pageParam;
    private final String sizeParam;
    private final int firstPage;
    private final int pageSize;
    private final JsonField totalField;
    private int pageCount = -1;
    private long total = -1;

    NumberedPagination(String url, String pageParam, String sizeParam, int firstPage, int pageSize, JsonField totalField) {
        // pageSize is at least 1: ExportSettings checks it with the export's other settings
        this.url = url;
        this.pageParam = pageParam;
        this.sizeParam = sizeParam;
        this.firstPage = firstPage;
        this.pageSize = pageSize;
        this.totalField = totalField;
    }

    @Override
    public Next next(int index) {
        if (index == 0) {
            return new Fetch(request(0));
        }
        if (pageCount < 0) {
            return new Wait();
        }
        return index < pageCount ? new Fetch(request(index)) : new End();
    }

    private PageRequest request(int index) {
        String withPage = QueryStrings.append(url, pageParam, firstPage + index);
        return new PageRequest(index, QueryStrings.append(withPage, sizeParam, pageSize));
    }

    @Override
    public void learn(int index, JsonNode response) {
        if (index != 0) {
            return;
        }
        total = readTotal(response, totalField);
        pageCount = pagesFor(total, pageSize);
    }

    @Override
    public long expectedRows() {
        return total;
    }

    @Override
    public int pageCount() {
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
