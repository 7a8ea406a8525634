package io.harvester.paging;

import com.fasterxml.jackson.databind.JsonNode;
import io.harvester.http.JsonField;
import io.harvester.http.QueryStrings;

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
    private final AnnouncedTotal total;

    NumberedPagination(String url, String pageParam, String sizeParam, int firstPage, int pageSize, JsonField totalField) {
        // pageSize is at least 1: ExportSettings checks it with the export's other settings
        this.url = url;
        this.pageParam = pageParam;
        this.sizeParam = sizeParam;
        this.firstPage = firstPage;
        this.pageSize = pageSize;
        this.total = new AnnouncedTotal(totalField, pageSize);
    }

    @Override
    public Next next(int index) {
        if (index == 0) {
            return new Fetch(request(0));
        }
        if (total.pageCount() < 0) {
            return new Wait();
        }
        return index < total.pageCount() ? new Fetch(request(index)) : new End();
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
        total.read(response);
    }

    @Override
    public long expectedRows() {
        return total.total();
    }

    @Override
    public int pageCount() {
        return total.pageCount();
    }
}
