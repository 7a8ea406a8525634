package io.harvester.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.harvester.support.TestStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * A spread crawl's limits in the test Redis: permits of a level and in all are handed out up to their limits
 * across instances, come back when given back or when their lease runs out, and a renewed one holds past its
 * first lease.
 */
class SharedCrawlLimitsTest {

    private static RedissonClient redis;

    @BeforeAll
    static void connect() {
        redis = TestStorage.get().redisClient();
    }

    @AfterAll
    static void disconnect() {
        redis.shutdown();
    }

    private static SharedCrawlLimits limits(long runId, String instance, long leaseMillis) {
        return new SharedCrawlLimits(redis, "crawl:limits", runId, instance, new int[] {1, 2, 3}, 4, 0, leaseMillis);
    }

    @Test
    void should_hand_out_permits_up_to_the_level_and_the_total_across_instances() {
        SharedCrawlLimits a = limits(1, "node-a", 60_000);
        SharedCrawlLimits b = limits(1, "node-b", 60_000);

        assertThat(a.tryAcquire(3, 5)).as("level 3 allows 3").hasSize(3);
        assertThat(b.tryAcquire(3, 1)).as("level 3 is full, across instances").isEmpty();
        List<SharedCrawlLimits.Permit> second = b.tryAcquire(2, 5);
        assertThat(second).as("4 in all: one left").hasSize(1);
        assertThat(a.tryAcquire(1, 1)).as("in all is full").isEmpty();

        b.release(2, second.get(0));
        assertThat(a.tryAcquire(1, 1)).as("a permit given back is free again").hasSize(1);
    }

    @Test
    void should_let_a_permit_expire_with_its_lease_unless_renewed() throws Exception {
        SharedCrawlLimits dead = limits(2, "node-dead", 300);
        SharedCrawlLimits live = limits(2, "node-live", 300);
        List<SharedCrawlLimits.Permit> renewed = live.tryAcquire(1, 1);
        assertThat(renewed).hasSize(1);
        assertThat(dead.tryAcquire(2, 1)).hasSize(1);

        Thread.sleep(200);
        live.renew(Map.of(1, renewed));
        Thread.sleep(200);

        assertThat(live.tryAcquire(1, 1)).as("level 1's permit, renewed, still held").isEmpty();
        assertThat(live.tryAcquire(2, 1)).as("the dead instance's level-2 permit expired").hasSize(1);
    }
}
