package io.harvester.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

/** The frontier hands out lookups within the level caps, the in-flight limit and the settling budget, and ends only when all is settled. */
class CrawlFrontierTest {

    private static final Duration BLOCKED = Duration.ofMillis(100);

    @Test
    void should_free_a_slot_on_answer_but_queue_children_only_once_the_answer_is_written() throws Exception {
        CrawlFrontier frontier = new CrawlFrontier(new int[] {1, 2, 2, 2}, new AdaptiveLimit(2), 0, () -> false);
        frontier.add(List.of(Lookup.root()));
        Lookup root = frontier.next();
        assertThat(root.level()).isEqualTo(1);

        frontier.answered(root);
        CompletableFuture<Lookup> waiting = CompletableFuture.supplyAsync(frontier::next);
        // nothing in flight or pending, but the root's answer is still being written: not the end
        assertThat(waiting).failsWithin(BLOCKED).withThrowableOfType(TimeoutException.class);
        assertThat(frontier.settling()).isEqualTo(1);

        frontier.settled(children(null, "a", "b", "c", "d"));
        assertThat(waiting.get(1, TimeUnit.SECONDS).parent().id()).isEqualTo("a");
        assertThat(frontier.next().parent().id()).isEqualTo("b");
        assertThat(frontier.inFlight()).isEqualTo(2);
    }

    @Test
    void should_hold_back_requests_while_maxInFlight_answers_are_being_written() throws Exception {
        CrawlFrontier frontier = new CrawlFrontier(new int[] {1, 2, 2, 2}, new AdaptiveLimit(2), 0, () -> false);
        frontier.add(children(null, "a", "b", "c", "d"));
        Lookup a = frontier.next();
        Lookup b = frontier.next();

        frontier.answered(a);
        Lookup c = frontier.next();
        assertThat(c.parent().id()).isEqualTo("c");
        frontier.answered(b);
        // one request in flight and a free level slot, but two answers (maxInFlight) are being written
        CompletableFuture<Lookup> d = CompletableFuture.supplyAsync(frontier::next);
        assertThat(d).failsWithin(BLOCKED).withThrowableOfType(TimeoutException.class);

        frontier.settled(List.of());
        assertThat(d.get(1, TimeUnit.SECONDS).parent().id()).isEqualTo("d");
    }

    @Test
    void should_serve_deeper_levels_first_within_their_caps_and_end_when_all_is_settled() throws Exception {
        CrawlFrontier frontier = new CrawlFrontier(new int[] {1, 1, 1, 1}, new AdaptiveLimit(5), 0, () -> false);
        frontier.add(children(null, "a", "b"));
        Lookup a = frontier.next();
        frontier.answered(a);
        frontier.settled(children(a.parent(), "a1", "a2"));

        Lookup deeper = frontier.next();
        assertThat(deeper.level()).isEqualTo(3);
        assertThat(deeper.parent().id()).isEqualTo("a1");
        Lookup sibling = frontier.next();
        assertThat(sibling.parent().id()).as("level 3 is at its cap of 1, level 2 goes next").isEqualTo("b");

        for (Lookup lookup : List.of(deeper, sibling)) {
            frontier.answered(lookup);
            frontier.settled(List.of());
        }
        Lookup last = frontier.next();
        assertThat(last.parent().id()).isEqualTo("a2");
        frontier.finished(last);
        assertThat(frontier.next()).isNull();
        assertThat(frontier.hasNext()).isFalse();
    }

    /** Lookups of the children of {@code parent} (null: level-1 nodes), in order. */
    private static List<Lookup> children(CrawlNode parent, String... ids) {
        int level = parent == null ? 1 : parent.level() + 1;
        String parentKey = parent == null ? "" : parent.key();
        List<Lookup> lookups = new java.util.ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            CrawlNode node = new CrawlNode(CrawlNode.childKey(parentKey, i + 1), level, ids[i], ids[i], "t",
                    parent == null ? null : parent.id(), parent == null ? ids[i] : parent.path() + "/" + ids[i]);
            lookups.add(Lookup.of(node));
        }
        return lookups;
    }
}
