package io.harvester.dispatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.redisson.api.RBatch;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * Writes task sets into Redis: {@code SADD} of their members as JSON texts, pipelined in rounds of
 * {@code chunkSize} members. Adding members a set already has changes nothing, so writing a set again
 * after a crash is harmless: {@link TaskGeneration}'s crash safety rests on that, and on a member's text
 * never changing (an element is always the same bytes).
 * <p>
 * Writing members is the generation's hot loop (bench/README.md, "Task dispatch"). Each goes as the
 * UTF-8 bytes of its JSON, written a round at a time on one generator: the text ObjectMapper writes for
 * the element's map, without the lookups of its map serializer nor a second encoding by a string codec.
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
        ByteArrayBuilder buffer = new ByteArrayBuilder();
        try (JsonGenerator json = JSON.createGenerator(buffer)) {
            // members are written one after the other on this generator: nothing between them
            json.setRootValueSeparator(null);
            RBatch batch = redis.createBatch();
            int queued = 0;
            for (TaskPlan.TaskSet set : sets) {
                List<Map<String, Object>> elements = set.elements();
                for (int from = 0; from < elements.size(); from += chunkSize) {
                    List<byte[]> chunk = new ArrayList<>();
                    for (Map<String, Object> element : elements.subList(from, Math.min(elements.size(), from + chunkSize))) {
                        chunk.add(member(json, buffer, element));
                    }
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
        } catch (IOException e) {
            throw new UncheckedIOException("task element not representable as JSON", e);
        }
    }

    private static byte[] member(JsonGenerator json, ByteArrayBuilder buffer, Map<String, Object> element) throws IOException {
        json.writeStartObject();
        for (Map.Entry<String, Object> field : element.entrySet()) {
            json.writeFieldName(field.getKey());
            if (field.getValue() instanceof String text) {
                json.writeString(text);
            } else if (field.getValue() instanceof Integer number) {
                json.writeNumber(number);
            } else {
                // null, and whatever else an element may hold one day, as ObjectMapper writes it
                json.writeObject(field.getValue());
            }
        }
        json.writeEndObject();
        json.flush();
        byte[] member = buffer.toByteArray();
        buffer.reset();
        return member;
    }
}
