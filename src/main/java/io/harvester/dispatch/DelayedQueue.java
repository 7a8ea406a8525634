package io.harvester.dispatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.infra.RedisScript;
import org.redisson.api.RBatch;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The Redis side of delayed tasks: sorted set {@code key} (score = due time in epoch ms, member = the task
 * as JSON text {@code {"id", "set", "element"}}, the id keeping equal elements apart), and the bookkeeping
 * that keeps a task moved from PostgreSQL released once even when its move is repeated after a crash.
 * <ul>
 * <li>{@code key:promoting}: members moved from PostgreSQL whose row may not be deleted yet;</li>
 * <li>{@code key:released}: those of them already released, which a repeated move must not add again;</li>
 * <li>{@code key:failed}: members that could not be released (the target key holds something other than a
 * set, or the member is not a task), scored by when that was; kept for an operator.</li>
 * </ul>
 * Target sets are not declared keys of the release script: fine on one Redis, not on Redis Cluster.
 */
final class DelayedQueue {

    /** Takes due members ({@code score <= ARGV[1]}, at most ARGV[2]) and adds each element to its set, atomically. */
    private static final String RELEASE = """
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
            local released = 0
            local failed = {}
            for _, member in ipairs(due) do
              local ok, task = pcall(cjson.decode, member)
              local added = nil
              if ok and type(task) == 'table' and type(task.set) == 'string' and type(task.element) == 'string' then
                added = redis.pcall('SADD', task.set, task.element)
              end
              if type(added) == 'number' then
                released = released + 1
              else
                redis.call('ZADD', KEYS[4], ARGV[1], member)
                failed[#failed + 1] = member
              end
              redis.call('ZREM', KEYS[1], member)
              if redis.call('SISMEMBER', KEYS[2], member) == 1 then
                redis.call('SADD', KEYS[3], member)
              end
            end
            table.insert(failed, 1, released)
            return failed
            """;

    /** Adds members moved from PostgreSQL (ARGV: score, member, score, member, …) unless released already. */
    private static final String PROMOTE = """
            local added = 0
            for i = 1, #ARGV, 2 do
              local member = ARGV[i + 1]
              if redis.call('SISMEMBER', KEYS[3], member) == 0 then
                redis.call('SADD', KEYS[2], member)
                added = added + redis.call('ZADD', KEYS[1], ARGV[i], member)
              end
            end
            return added
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A task as the sorted set holds it. */
    record Member(long id, String set, String element, long dueMillis) {

        String text() {
            Map<String, Object> task = new LinkedHashMap<>();
            task.put("id", id);
            task.put("set", set);
            task.put("element", element);
            try {
                return JSON.writeValueAsString(task);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a delayed task's JSON text", e);
            }
        }

        /** The id in a member's text; -1 when it has none. */
        static long id(String text) {
            try {
                return JSON.readTree(text).path("id").asLong(-1);
            } catch (JsonProcessingException e) {
                return -1;
            }
        }
    }

    /** What one release round did: elements added, and the members that could not be. */
    record Released(long released, List<String> failed) {
    }

    private final RedissonClient redis;
    private final String key;
    private final List<Object> keys;
    private final RedisScript release;
    private final RedisScript promote;

    DelayedQueue(RedissonClient redis, String key) {
        this.redis = redis;
        this.key = key;
        this.keys = List.of(key, key + ":promoting", key + ":released", key + ":failed");
        this.release = new RedisScript(redis, RELEASE);
        this.promote = new RedisScript(redis, PROMOTE);
    }

    String key() {
        return key;
    }

    /** Tasks accepted straight into Redis. */
    void add(Collection<Member> members) {
        Map<String, Double> scored = new LinkedHashMap<>();
        members.forEach(m -> scored.put(m.text(), (double) m.dueMillis()));
        redis.<String>getScoredSortedSet(key, StringCodec.INSTANCE).addAll(scored);
    }

    /** Tasks moved from PostgreSQL; adding one again changes nothing, and one released already is not added. */
    void promote(List<Member> members) {
        List<Object> args = new ArrayList<>(2 * members.size());
        for (Member m : members) {
            args.add(String.valueOf(m.dueMillis()));
            args.add(m.text());
        }
        promote.run(RScript.ReturnType.INTEGER, keys.subList(0, 3), args.toArray());
    }

    /** Releases at most {@code limit} members due at {@code nowMillis}, in one atomic step. */
    Released release(long nowMillis, int limit) {
        List<Object> answer = release.run(RScript.ReturnType.MULTI, keys, String.valueOf(nowMillis), String.valueOf(limit));
        List<String> failed = answer.subList(1, answer.size()).stream().map(String::valueOf).toList();
        return new Released((Long) answer.get(0), failed);
    }

    /** Members moved from PostgreSQL whose rows may still be there. */
    Set<String> promoting() {
        return redis.<String>getSet(key + ":promoting", StringCodec.INSTANCE).readAll();
    }

    /** Forgets members whose rows are gone: no move can repeat for them. */
    void settle(Collection<String> members) {
        if (members.isEmpty()) {
            return;
        }
        RBatch batch = redis.createBatch();
        batch.getSet(key + ":promoting", StringCodec.INSTANCE).removeAllAsync(members);
        batch.getSet(key + ":released", StringCodec.INSTANCE).removeAllAsync(members);
        batch.execute();
    }
}
