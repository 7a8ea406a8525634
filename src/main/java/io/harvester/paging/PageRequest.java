package io.harvester.paging;

/**
 * One page to fetch: its position in API order (0 for the first page) and the full URL.
 *
 * @param index position in API order, 0-based
 * @param url   the URL with paging parameters applied
 */
public record PageRequest(int index, String url) {
}
