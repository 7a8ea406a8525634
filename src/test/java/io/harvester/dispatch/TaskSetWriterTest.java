package io.harvester.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.TestStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RSet;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** The members TaskSetWriter adds, on the test JVM's real Redis. */
class TaskSetWriterTest {

    private static RedissonClient redis;

    @BeforeAll
    static void connect() {
        redis = TestStorage.get().redisClient();
    }

    @AfterAll
    static void disconnect() {
        redis.shutdown();
    }

    @Test
    void should_add_members_as_the_same_text_as_before_so_that_rewriting_a_set_duplicates_nothing() throws Exception {
        String name = "writer" + System.nanoTime();
        Map<String, Object> element = new LinkedHashMap<>();
        element.put("keyword", "GRÖSSE \"XL\" 日本");
        element.put("market_place_code", "DE");
        element.put("url", null);
        element.put("data_hour", 7);
        RSet<String> set = redis.getSet(name, StringCodec.INSTANCE);
        // what the writer added before it wrote bytes: the JSON string, through the string codec
        set.add(new ObjectMapper().writeValueAsString(element));

        new TaskSetWriter(redis, 2).write(List.of(new TaskPlan.TaskSet(name, TaskPlan.PRODUCT_DETAILS, Instant.EPOCH,
                List.of(element, Map.of("keyword", "A"), Map.of("keyword", "B")))));

        assertThat(set.readAll()).containsExactlyInAnyOrder(
                "{\"keyword\":\"GRÖSSE \\\"XL\\\" 日本\",\"market_place_code\":\"DE\",\"url\":null,\"data_hour\":7}",
                "{\"keyword\":\"A\"}", "{\"keyword\":\"B\"}");
        set.delete();
    }
}
