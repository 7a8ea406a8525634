package io.harvester.infra;

import java.util.List;

import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisNoScriptException;
import org.redisson.client.codec.StringCodec;

/**
 * A Lua script Redis runs atomically: sent once ({@code SCRIPT LOAD}) and then called by its digest
 * ({@code EVALSHA}). A Redis that lost its script cache (restarted, {@code SCRIPT FLUSH}) gets it again.
 * Keys and arguments are strings.
 */
public final class RedisScript {

    private final RedissonClient redis;
    private final String text;
    private volatile String sha;

    public RedisScript(RedissonClient redis, String text) {
        this.redis = redis;
        this.text = text;
    }

    public <R> R run(RScript.ReturnType returns, List<Object> keys, Object... args) {
        RScript script = redis.getScript(StringCodec.INSTANCE);
        String digest = sha;
        if (digest == null) {
            digest = load(script);
        }
        try {
            return script.evalSha(RScript.Mode.READ_WRITE, digest, returns, keys, args);
        } catch (RedisNoScriptException flushed) {
            return script.evalSha(RScript.Mode.READ_WRITE, load(script), returns, keys, args);
        }
    }

    private String load(RScript script) {
        sha = script.scriptLoad(text);
        return sha;
    }
}
