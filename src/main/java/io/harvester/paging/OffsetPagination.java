package io.harvester.paging;

import java.util.ArrayList;
import java.util.List;

import io.harvester.http.AnswerFormatException;
import io.harvester.http.JsonField;
import io.harvester.http.QueryStrings;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code ?offset=N&limit=S} APIs: page {@code i} starts at record {@code i × pageSize}. When the first answer
 * carries the total, every page is known and they are fetched concurrently, as numbered pages are; without one,
 * pages are fetched one after another until a page holds fewer records than asked for (an empty one included):
 * {@code pageSize} must then not exceed the most the API gives per page. A page holding more than asked for fails
 * the run (the API ignores the limit, and the offsets would read records twice).
 */
final class OffsetPagination implements Pagination {

    private final String url;
    private final String offsetParam;
    private final String limitParam;
    private final int pageSize;
    private final AnnouncedTotal total;
    /** Records each page held, by position, as learnt (null: not yet): without a total, a short page ends the export. */
    private final List<Integer> records = new ArrayList<>();

    OffsetPagination(String url, String offsetParam, String limitParam, int pageSize, JsonField totalField) {
        // pageSize is at least 1: ExportSettings checks it with the export's other settings
        this.url = url;
        this.offsetParam = offsetParam;
        this.limitParam = limitParam;
        this.pageSize = pageSize;
        this.total = new AnnouncedTotal(totalField, pageSize);
    }

    @Override
    public Next next(int index) {
        if (index == 0) {
            return new Fetch(request(0));
        }
        if (total.pageCount() >= 0) {
            return index < total.pageCount() ? new Fetch(request(index)) : new End();
        }
        Integer before = index - 1 < records.size() ? records.get(index - 1) : null;
        if (before == null) {
            return new Wait();
        }
        return before < pageSize ? new End() : new Fetch(request(index));
    }

    private PageRequest request(int index) {
        String withOffset = QueryStrings.append(url, offsetParam, (long) index * pageSize);
        return new PageRequest(index, QueryStrings.append(withOffset, limitParam, pageSize));
    }

    @Override
    public void learn(int index, JsonNode response) {
        if (index != 0 || !total.in(response)) {
            return;
        }
        // announced: every page is known from here on
        total.read(response);
    }

    @Override
    public void counted(int index, int recordsOnPage) {
        if (recordsOnPage > pageSize) {
            // the API does not honour the limit: the next offsets would read the same records again
            throw new AnswerFormatException("page " + (index + 1) + " holds " + recordsOnPage + " records, more than the "
                    + pageSize + " asked for with '" + limitParam + "' (limitParam): the API ignores it, offsets would overlap");
        }
        while (records.size() <= index) {
            records.add(null);
        }
        records.set(index, recordsOnPage);
    }

    @Override
    public int pageCount() {
        return total.pageCount();
    }

    @Override
    public long expectedRows() {
        return total.total();
    }
}
