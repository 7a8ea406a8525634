package io.harvester.dispatch;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.redisson.api.RBatch;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * Writes task sets into Redis: {@code SADD} of their members as JSON texts, pipelined in rounds of
 * {@code chunkSize} members. Adding members a set already has changes nothing, so writing a set again
 * after a crash is harmless: {@link TaskGeneration}'s crash safety rests on that, and on a member's text
 * never changing (the same element is the same bytes).
 * <p>
 * Members go as the UTF-8 bytes Jackson writes, encoded a round at a time: as Java strings they were
 * encoded twice (to a String, then by the codec into a pooled buffer grown per member), which was a
 * third of the time it took to write them (bench/README.md, "Task dispatch").
 */
public final class TaskSetWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RedissonClient redis;
    private final int chunkSize;

    public TaskSetWriter(RedissonClient redis, int chunkSize) {
        this.redis = redis;
        this.chunkSize = Math.max(1, chunkSize);
    }

    /** Returns once Redis has taken every member. */
    public void write(List<TaskPlan.TaskSet> sets) {
        RBatch batch = redis.createBatch();
        int queued = 0;
        for (TaskPlan.TaskSet set : sets) {
            List<Map<String, Object>> elements = set.elements();
            for (int from = 0; from < elements.size(); from += chunkSize) {
                List<byte[]> chunk = elements.subList(from, Math.min(elements.size(), from + chunkSize)).stream()
                        .map(TaskSetWriter::json).toList();
                batch.getSet(set.name(), ByteArrayCodec.INSTANCE).addAllAsync(chunk);
                queued += chunk.size();
                if (queued >= chunkSize) {
                    batch.execute();
                    batch = redis.createBatch();
                    queued = 0;
                }
            }
        }
        if (queued > 0) {
            batch.execute();
        }
    }

    private static byte[] json(Map<String, Object> element) {
        try {
            return JSON.writeValueAsBytes(element);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("element not representable as JSON: " + element, e);
        }
    }
}
