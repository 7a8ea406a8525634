package io.harvester.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** A crawl's percent is settled nodes over the estimated tree, not over the nodes known so far. */
class CrawlProgressTest {

    @Test
    void should_estimate_a_uniform_tree_from_its_first_levels_and_stay_low_at_a_tenth_of_the_work() {
        // branching 5, depth 4 (781 nodes): root and level 1 looked up, 3 of 25 level-2 lookups made, 15 children found
        Map<Integer, int[]> counts = levels(new int[] {1, 1, 0}, new int[] {5, 5, 0}, new int[] {25, 3, 0}, new int[] {15, 0, 0});
        CrawlProgress progress = CrawlProgress.of(counts, 4);
        assertThat(progress).isEqualTo(new CrawlProgress(46, 9, 0, 781));
        // done over known said 19 %
        assertThat(progress.percent()).isEqualTo(1);
    }

    @Test
    void should_count_failed_lookups_as_settled_and_never_say_100_before_the_end() {
        // depth 2: root, 4 children looked up (one failed), 9 leaves found, done as they are found
        Map<Integer, int[]> counts = levels(new int[] {1, 1, 0}, new int[] {4, 3, 1}, new int[] {9, 9, 0});
        CrawlProgress progress = CrawlProgress.of(counts, 2);
        assertThat(progress).isEqualTo(new CrawlProgress(14, 13, 1, 14));
        assertThat(progress.percent()).isEqualTo(99);
        assertThat(progress.summary()).isEqualTo("14 nodes, 1 lookup failed");
    }

    @Test
    void should_name_what_is_left_when_a_crawl_ends_early() {
        // 264 lookups at level 1 found 10 children each: levels 2 and 3 are estimated at 12,000 and 120,000
        CrawlProgress progress = CrawlProgress.of(levels(new int[] {1, 1, 0}, new int[] {1200, 264, 0}, new int[] {2640, 0, 0}), 3);
        assertThat(progress.summary()).isEqualTo("265 of 3,841 nodes");
        assertThat(progress.estimated()).isEqualTo(1 + 1200 + 12_000 + 120_000);
        assertThat(progress.percent()).isZero();
        assertThat(CrawlProgress.of(Map.of(), 3).percent()).isZero();
    }

    private static Map<Integer, int[]> levels(int[]... counts) {
        Map<Integer, int[]> levels = new LinkedHashMap<>();
        for (int level = 0; level < counts.length; level++) {
            levels.put(level, counts[level]);
        }
        return levels;
    }
}
