package io.harvester.paging;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How an API is paged: which request fetches the page at a position, learnt from the pages seen so far.
 * Called under the {@link PageWindow}'s lock, so implementations need no synchronisation of their own.
 */
interface Pagination {

    /** What to do for the page at a position: fetch it, wait for an earlier page, or stop. */
    sealed interface Next permits Fetch, Wait, End {
    }

    record Fetch(PageRequest request) implements Next {
    }

    record Wait() implements Next {
    }

    record End() implements Next {
    }

    Next next(int index);

    /** Learns from the parsed response of the page at a position (the total, or the next cursor). */
    void learn(int index, JsonNode response);

    /** Learns how many records the page at a position held (before {@link #learn}); offset APIs without a total end on a short page. */
    default void counted(int index, int records) {
    }

    /** Number of pages when known, else -1 (cursor APIs, offset APIs without a total). */
    int pageCount();

    /** Rows the API announced for the whole export, or -1 when it announces none. */
    default long expectedRows() {
        return -1;
    }
}
