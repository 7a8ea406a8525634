package io.harvester.dispatch.status;

import java.util.ArrayList;
import java.util.List;

import io.harvester.infra.LuaScript;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;

/**
 * Applies updates in Redis by one call of the {@code status-apply} script: atomic, so an update is either
 * applied and kept in the pending list for PostgreSQL, or not at all. The task's full record gets the new
 * state when it exists, otherwise {@code id -> state} is stored; an older {@code at} never overwrites a
 * newer one. A task record of the wrong type refuses its update, found before anything is written.
 */
final class StatusCache {

    /** One update the script refused: its index in the call, the key at fault and what that key holds. */
    record Refusal(int index, String key, String type) {

        String describe() {
            return "Redis key " + key + " holds a " + type + ", not a hash: no state can be stored there";
        }
    }

    /** One of Harvester's own keys holds the wrong type: no update can be kept until someone removes it. */
    static final class OwnKeyBroken extends IllegalStateException {

        OwnKeyBroken(String message) {
            super(message);
        }
    }

    private final StatusKeys keys;
    private final LuaScript apply;

    StatusCache(RedissonClient redis, StatusKeys keys) {
        this.keys = keys;
        this.apply = new LuaScript(redis, "status-apply");
    }

    /** All or nothing (an HTTP request): the refusals, when there is any nothing was applied. */
    List<Refusal> applyAll(List<StatusUpdate> updates) {
        return call("all", updates);
    }

    /**
     * List entries, each on its own: refused ones are moved from the processing list to the rejected
     * list, the others applied and removed from it.
     */
    List<Refusal> applyEach(List<StatusUpdate> updates) {
        return call("each", updates);
    }

    private List<Refusal> call(String mode, List<StatusUpdate> updates) {
        if (updates.isEmpty()) {
            return List.of();
        }
        List<Object> scriptKeys = new ArrayList<>(updates.size() + 5);
        scriptKeys.addAll(List.of(keys.states(), keys.statesAt(), keys.pending(), keys.processing(), keys.rejected()));
        List<Object> args = new ArrayList<>(updates.size() * 5 + 1);
        args.add(mode);
        for (StatusUpdate update : updates) {
            scriptKeys.add(keys.record(update.taskId()));
            args.add(update.taskId());
            args.add(update.state());
            args.add(String.valueOf(update.at()));
            args.add(update.toJson());
            args.add(update.raw() == null ? "" : update.raw());
        }
        List<Object> answer = apply.call(RScript.ReturnType.MULTI, scriptKeys, args.toArray());
        List<Refusal> refusals = new ArrayList<>();
        for (Object line : answer == null ? List.of() : answer) {
            String[] parts = String.valueOf(line).split("\t", 3);
            int index = Integer.parseInt(parts[0]);
            if (index == 0) {
                throw new OwnKeyBroken("Harvester's own Redis key " + parts[1] + " holds a " + parts[2]
                        + ": status updates cannot be kept until it is removed (harvester.status.key-prefix)");
            }
            refusals.add(new Refusal(index - 1, parts[1], parts[2]));
        }
        return refusals;
    }
}
