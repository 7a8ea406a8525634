package io.harvester.paging;

import io.harvester.http.JsonField;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.http.AnswerFormatException;
import org.junit.jupiter.api.Test;

/** Page planning for numbered and cursor APIs. */
class PaginationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void should_plan_pages_from_the_total_of_the_first_answer() throws Exception {
        NumberedPagination pages = new NumberedPagination("http://h/api?x=1", "p", "s", 0, 100, new JsonField("data.total"));
        assertThat(pages.next(0)).isEqualTo(new Pagination.Fetch(new PageRequest(0, "http://h/api?x=1&p=0&s=100")));
        assertThat(pages.next(1)).isInstanceOf(Pagination.Wait.class);

        pages.learn(0, JSON.readTree("{\"data\":{\"total\":\"250\"}}"));

        assertThat(pages.pageCount()).isEqualTo(3);
        assertThat(pages.next(2)).isEqualTo(new Pagination.Fetch(new PageRequest(2, "http://h/api?x=1&p=2&s=100")));
        assertThat(pages.next(3)).isInstanceOf(Pagination.End.class);
    }

    @Test
    void should_count_pages_for_edge_totals() {
        assertThat(AnnouncedTotal.pagesFor(0, 10)).isEqualTo(1);
        assertThat(AnnouncedTotal.pagesFor(10, 10)).isEqualTo(1);
        assertThat(AnnouncedTotal.pagesFor(11, 10)).isEqualTo(2);
        assertThat(AnnouncedTotal.pagesFor(30_000, 1000)).isEqualTo(30);
    }

    @Test
    void should_name_the_total_field_when_it_is_missing_or_not_a_number() {
        NumberedPagination pages = new NumberedPagination("http://h", "page", "size", 1, 10, new JsonField("total"));
        assertThatThrownBy(() -> pages.learn(0, JSON.readTree("{\"count\":3}")))
                .isInstanceOf(AnswerFormatException.class).hasMessage("field 'total' (totalField) is missing in the first page");
        assertThatThrownBy(() -> pages.learn(0, JSON.readTree("{\"total\":\"many\"}")))
                .hasMessage("field 'total' (totalField) is not a whole number: \"many\"");
        assertThatThrownBy(() -> pages.learn(0, JSON.readTree("{\"total\":-1}")))
                .hasMessage("field 'total' (totalField) is negative: -1");
    }

    @Test
    void should_follow_cursors_and_next_links_one_page_at_a_time() throws Exception {
        CursorPagination byParam = new CursorPagination("http://h/api?size=2", new JsonField("next"), "cursor");
        assertThat(byParam.next(1)).isInstanceOf(Pagination.Wait.class);
        byParam.learn(0, JSON.readTree("{\"next\":\"abc=\"}"));
        assertThat(byParam.next(1)).isEqualTo(new Pagination.Fetch(new PageRequest(1, "http://h/api?size=2&cursor=abc%3D")));
        byParam.learn(1, JSON.readTree("{\"next\":null}"));
        assertThat(byParam.next(2)).isInstanceOf(Pagination.End.class);

        CursorPagination byLink = new CursorPagination("http://h/v1/items", new JsonField("links.next"), "");
        byLink.learn(0, JSON.readTree("{\"links\":{\"next\":\"/v1/items?after=9\"}}"));
        assertThat(byLink.next(1)).isEqualTo(new Pagination.Fetch(new PageRequest(1, "http://h/v1/items?after=9")));
    }

    @Test
    void should_refuse_a_next_link_to_another_host_which_would_receive_the_headers() throws Exception {
        CursorPagination pages = new CursorPagination("https://api.example.com/v1/items", new JsonField("next"), "");
        pages.learn(0, JSON.readTree("{\"next\":\"https://api.example.com/v1/items?after=3\"}"));
        assertThat(pages.next(1)).isEqualTo(new Pagination.Fetch(new PageRequest(1, "https://api.example.com/v1/items?after=3")));
        assertThatThrownBy(() -> pages.learn(1, JSON.readTree("{\"next\":\"https://elsewhere.example.net/steal\"}")))
                .isInstanceOf(AnswerFormatException.class)
                .hasMessage("field 'next' (cursorField) links to another host (https://elsewhere.example.net); "
                        + "the export's headers are sent only to https://api.example.com");
    }

    @Test
    void should_stop_a_cursor_that_repeats() throws Exception {
        CursorPagination pages = new CursorPagination("http://h", new JsonField("next"), "c");
        pages.learn(0, JSON.readTree("{\"next\":\"x\"}"));
        assertThatThrownBy(() -> pages.learn(1, JSON.readTree("{\"next\":\"x\"}")))
                .hasMessageContaining("names cursor 'x' seen on page 1 already");
    }

    @Test
    void should_page_by_offset_concurrently_with_a_total_and_to_a_short_page_without_one() throws Exception {
        OffsetPagination counted = new OffsetPagination("https://api.example.com/v1/items?q=x", "skip", "take", 100, new JsonField("meta.total"));
        assertThat(counted.next(0)).isEqualTo(new Pagination.Fetch(new PageRequest(0, "https://api.example.com/v1/items?q=x&skip=0&take=100")));
        assertThat(counted.next(1)).isInstanceOf(Pagination.Wait.class);
        counted.counted(0, 100);
        counted.learn(0, JSON.readTree("{\"meta\":{\"total\":250}}"));
        assertThat(counted.pageCount()).isEqualTo(3);
        assertThat(counted.expectedRows()).isEqualTo(250);
        assertThat(counted.next(2)).isEqualTo(new Pagination.Fetch(new PageRequest(2, "https://api.example.com/v1/items?q=x&skip=200&take=100")));
        assertThat(counted.next(3)).isInstanceOf(Pagination.End.class);

        OffsetPagination open = new OffsetPagination("https://api.example.com/v1/items", "offset", "limit", 100, new JsonField("total"));
        open.counted(0, 100);
        open.learn(0, JSON.readTree("{}"));
        assertThat(open.pageCount()).isEqualTo(-1);
        assertThat(open.next(1)).isEqualTo(new Pagination.Fetch(new PageRequest(1, "https://api.example.com/v1/items?offset=100&limit=100")));
        assertThat(open.next(2)).as("page 2 waits for page 1's count").isInstanceOf(Pagination.Wait.class);
        open.counted(1, 99);
        assertThat(open.next(2)).isInstanceOf(Pagination.End.class);
        assertThatThrownBy(() -> open.counted(2, 101)).isInstanceOf(AnswerFormatException.class)
                .hasMessage("page 3 holds 101 records, more than the 100 asked for with 'limit' (limitParam): the API ignores it,"
                        + " offsets would overlap");
        assertThatThrownBy(() -> counted.learn(0, JSON.readTree("{\"meta\":{\"total\":\"lots\"}}")))
                .hasMessageContaining("field 'meta.total' (totalField) is not a whole number");
    }
}
