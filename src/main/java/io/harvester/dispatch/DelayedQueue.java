package io.harvester.dispatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.infra.LuaScript;
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
 * The scripts are {@code lua/delayed-release.lua} and {@code lua/delayed-promote.lua}. Target sets are not
 * declared keys of the release script: fine on one Redis, not on Redis Cluster.
 */
final class DelayedQueue {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A task as the sorted set holds it. */
    record Member(long id, String set, String element, long dueMillis) {

        /** Always the same text for the same task: a repeated move adds nothing new. */
        String text() {
            return JSON.createObjectNode().put("id", id).put("set", set).put("element", element).toString();
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
    private final LuaScript release;
    private final LuaScript promote;

    DelayedQueue(RedissonClient redis, String key) {
        this.redis = redis;
        this.key = key;
        this.keys = List.of(key, key + ":promoting", key + ":released", key + ":failed");
        this.release = new LuaScript(redis, "delayed-release");
        this.promote = new LuaScript(redis, "delayed-promote");
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
        promote.call(RScript.ReturnType.INTEGER, keys.subList(0, 3), args.toArray());
    }

    /** Releases at most {@code limit} members due at {@code nowMillis}, in one atomic step. */
    Released release(long nowMillis, int limit) {
        List<Object> answer = release.call(RScript.ReturnType.MULTI, keys, String.valueOf(nowMillis), String.valueOf(limit));
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
