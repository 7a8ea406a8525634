package io.harvester.dispatch;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.redisson.api.RBatch;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Writes task sets into Redis: {@code SADD} of their members as JSON texts, pipelined in rounds of
 * {@code chunkSize} members. Adding members a set already has changes nothing, so writing a set again
 * after a crash is harmless: {@link TaskGeneration}'s crash safety rests on that.
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
            List<String> members = set.elements().stream().map(TaskSetWriter::json).toList();
            for (int from = 0; from < members.size(); from += chunkSize) {
                List<String> chunk = members.subList(from, Math.min(members.size(), from + chunkSize));
                batch.getSet(set.name(), StringCodec.INSTANCE).addAllAsync(chunk);
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

    private static String json(Map<String, Object> element) {
        try {
            return JSON.writeValueAsString(element);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("element not representable as JSON: " + element, e);
        }
    }
}
