-- One worker status update, applied atomically (StatusCache). The newest "at" wins.
-- KEYS[1] the task's full record (a hash), KEYS[2] hash id -> state, KEYS[3] hash id -> at
-- ARGV[1] task id, ARGV[2] state, ARGV[3] at (epoch ms)
-- Returns 1 when the record was updated, 2 when id -> state was stored, 0 when a newer state was there.
local at = tonumber(ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 1 then
    local seen = tonumber(redis.call('HGET', KEYS[1], 'state_at'))
    if seen and seen > at then
        return 0
    end
    redis.call('HSET', KEYS[1], 'state', ARGV[2], 'state_at', ARGV[3])
    return 1
end
local seen = tonumber(redis.call('HGET', KEYS[3], ARGV[1]))
if seen and seen > at then
    return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
return 2
