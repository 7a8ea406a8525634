package io.harvester.paging;

import io.harvester.http.AnswerFormatException;
import io.harvester.http.JsonField;
import io.harvester.http.QueryStrings;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Cursor or next-link APIs: each answer names the next page, so pages are fetched one after another.
 * With a {@code cursorParam} the value of {@code cursorField} is sent as that query parameter on the
 * base URL; without one, {@code cursorField} holds the next page's URL (absolute or relative).
 */
final class CursorPagination implements Pagination {

    private final String url;
    private final JsonField cursorField;
    private final String cursorParam;
    private final List<String> nextOf = new ArrayList<>();
    /** Every cursor of the run and the page (1-based) whose answer named it: a repeat would loop forever. */
    private final Map<String, Integer> seenOn = new HashMap<>();

    CursorPagination(String url, JsonField cursorField, String cursorParam) {
        this.url = url;
        this.cursorField = cursorField;
        this.cursorParam = cursorParam == null ? "" : cursorParam.trim();
    }

    @Override
    public Next next(int index) {
        if (index == 0) {
            return new Fetch(new PageRequest(0, url));
        }
        if (nextOf.size() < index) {
            return new Wait();
        }
        String cursor = nextOf.get(index - 1);
        if (cursor == null) {
            return new End();
        }
        String next = cursorParam.isEmpty() ? sameOrigin(cursor) : QueryStrings.append(url, cursorParam, cursor);
        return new Fetch(new PageRequest(index, next));
    }

    /** The next-page link resolved against the API's URL; it must stay on the API's host, which gets our headers (tokens). */
    private String sameOrigin(String link) {
        URI base = URI.create(url);
        URI next;
        try {
            next = base.resolve(link);
        } catch (IllegalArgumentException e) {
            throw new AnswerFormatException("field '" + cursorField + "' (cursorField) is not a URL: " + e.getMessage());
        }
        if (!base.getScheme().equalsIgnoreCase(next.getScheme()) || !base.getHost().equalsIgnoreCase(String.valueOf(next.getHost()))
                || base.getPort() != next.getPort()) {
            throw new AnswerFormatException("field '" + cursorField + "' (cursorField) links to another host ("
                    + next.getScheme() + "://" + next.getHost() + (next.getPort() < 0 ? "" : ":" + next.getPort())
                    + "); the export's headers are sent only to " + base.getScheme() + "://" + base.getHost()
                    + (base.getPort() < 0 ? "" : ":" + base.getPort()));
        }
        return next.toString();
    }

    @Override
    public void learn(int index, JsonNode response) {
        JsonNode node = cursorField.find(response);
        String cursor = node == null || node.asText().isBlank() ? null : node.asText();
        if (cursor != null) {
            Integer seen = seenOn.putIfAbsent(cursor, index + 1);
            if (seen != null) {
                throw new AnswerFormatException("field '" + cursorField + "' (cursorField) on page " + (index + 1)
                        + " names cursor '" + cursor + "' seen on page " + seen + " already; stopping instead of looping"
                        + " forever");
            }
        }
        if (cursor != null && cursorParam.isEmpty()) {
            sameOrigin(cursor);
        }
        while (nextOf.size() <= index) {
            nextOf.add(null);
        }
        nextOf.set(index, cursor);
    }

    @Override
    public int pageCount() {
        return -1;
    }
}
