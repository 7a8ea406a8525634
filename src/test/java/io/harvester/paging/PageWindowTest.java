package io.harvester.paging;

import io.harvester.http.JsonField;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The page window writes in API order and never hands out more than concurrency pages ahead of the writer. */
class PageWindowTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void should_write_out_of_order_results_in_api_order_and_hold_back_requests() throws Exception {
        List<String> written = new ArrayList<>();
        NumberedPagination pagination = new NumberedPagination("http://h", "page", "size", 1, 10, new JsonField("total"));
        PageWindow<String> window = new PageWindow<>(pagination, 2, 100_000, written::add);

        assertThat(window.next().index()).isEqualTo(0);
        CompletableFuture<PageRequest> second = CompletableFuture.supplyAsync(window::next);
        Thread.sleep(50);
        assertThat(second).isNotDone();
        window.arrived();
        window.learn(0, JSON.readTree("{\"total\":60}"), 10);
        assertThat(second.get(1, TimeUnit.SECONDS).index()).isEqualTo(1);
        window.deliver(0, "p0");
        assertThat(window.next().index()).isEqualTo(2);

        // two requests in flight: no third until an answer arrives
        CompletableFuture<PageRequest> fourth = CompletableFuture.supplyAsync(window::next);
        Thread.sleep(50);
        assertThat(fourth).isNotDone();
        window.arrived();
        assertThat(fourth.get(1, TimeUnit.SECONDS).index()).isEqualTo(3);

        // pages 2 and 3 before page 1: parked, not written; four pages ahead of the writer is the cap
        window.arrived();
        window.deliver(2, "p2");
        window.arrived();
        window.deliver(3, "p3");
        assertThat(window.next().index()).isEqualTo(4);
        CompletableFuture<PageRequest> sixth = CompletableFuture.supplyAsync(window::next);
        Thread.sleep(50);
        assertThat(sixth).isNotDone();
        assertThat(written).containsExactly("p0");

        window.arrived();
        window.deliver(1, "p1");
        assertThat(written).containsExactly("p0", "p1", "p2", "p3");
        assertThat(sixth.get(1, TimeUnit.SECONDS).index()).isEqualTo(5);
        for (int i = 4; i <= 5; i++) {
            window.arrived();
            window.deliver(i, "p" + i);
        }
        assertThat(window.next()).isNull();
        assertThat(window.hasNext()).isFalse();
        assertThat(window.complete()).isTrue();
    }

    @Test
    void should_release_a_waiting_splitter_when_the_run_fails() throws Exception {
        NumberedPagination pagination = new NumberedPagination("http://h", "page", "size", 1, 10, new JsonField("total"));
        PageWindow<String> window = new PageWindow<>(pagination, 4, 100_000, page -> { });
        window.next();
        CompletableFuture<PageRequest> waiting = CompletableFuture.supplyAsync(window::next);

        window.fail(new IllegalStateException("page 1 failed"));

        assertThat(waiting.get(1, TimeUnit.SECONDS)).isNull();
        assertThat(window.complete()).isFalse();
        assertThat(window.failure()).hasMessage("page 1 failed");
    }
}
