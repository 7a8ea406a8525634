package io.harvester.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * A Lua script from the classpath ({@code lua/<name>.lua}), loaded into Redis once and called by its
 * SHA. A Redis that restarted or flushed its scripts answers NOSCRIPT: the script is loaded again and the
 * call repeated, once.
 */
public final class LuaScript {

    private final RedissonClient redis;
    private final String name;
    private final String source;
    private volatile String sha;

    public LuaScript(RedissonClient redis, String name) {
        this.redis = redis;
        this.name = name;
        this.source = read("lua/" + name + ".lua");
    }

    /** One call, its answer of {@code type}. */
    public <R> R call(RScript.ReturnType type, List<Object> keys, Object... args) {
        try {
            return script().evalSha(RScript.Mode.READ_WRITE, sha(), type, keys, args);
        } catch (RuntimeException e) {
            if (!isNoScript(e)) {
                throw e;
            }
            sha = null;
            return script().evalSha(RScript.Mode.READ_WRITE, sha(), type, keys, args);
        }
    }

    /** Queues a call into {@code batch}, pipelined with the others; run {@link #execute} for the batch. */
    public <R> RFuture<R> queue(RBatch batch, RScript.ReturnType type, List<Object> keys, Object... args) {
        return batch.getScript(StringCodec.INSTANCE).evalShaAsync(RScript.Mode.READ_WRITE, sha(), type, keys, args);
    }

    /**
     * Runs a batch of queued calls; when Redis has lost the script, loads it again and runs the batch
     * {@code again} builds (the calls of the first batch did not run).
     */
    public void execute(RBatch batch, Supplier<RBatch> again) {
        try {
            batch.execute();
        } catch (RuntimeException e) {
            if (!isNoScript(e)) {
                throw e;
            }
            sha = null;
            again.get().execute();
        }
    }

    private RScript script() {
        return redis.getScript(StringCodec.INSTANCE);
    }

    private String sha() {
        String loaded = sha;
        if (loaded == null) {
            loaded = script().scriptLoad(source);
            sha = loaded;
        }
        return loaded;
    }

    private static boolean isNoScript(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("NOSCRIPT")) {
                return true;
            }
        }
        return false;
    }

    private static String read(String resource) {
        try (InputStream in = LuaScript.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Lua script " + resource + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(resource, e);
        }
    }

    @Override
    public String toString() {
        return "Lua script " + name;
    }
}
