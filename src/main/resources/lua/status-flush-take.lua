-- The flush's take (StatusPending): this instance's batch in flight, or a new one. A batch whose upsert
-- failed stays in the flushing list and is handed back as it is until it commits; otherwise up to ARGV[1]
-- updates move from the pending list, oldest first. Either way the instance's lease is renewed: while it
-- holds, no other instance takes the batch (or the processing list) back.
-- KEYS[1] pending list, KEYS[2] this instance's flushing list, KEYS[3] its lease, KEYS[4] the set of
-- instances that may hold a batch
-- ARGV[1] batch size, ARGV[2] this instance's id, ARGV[3] lease (ms), ARGV[4] "1" when the batch in flight
-- committed (it is dropped first: one call per batch rather than a take and a delete)
redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
redis.call('SADD', KEYS[4], ARGV[2])
if ARGV[4] == '1' then
    redis.call('DEL', KEYS[2])
end
local inFlight = redis.call('LRANGE', KEYS[2], 0, -1)
if #inFlight > 0 then
    return inFlight
end
local taken = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #taken > 0 then
    redis.call('LTRIM', KEYS[1], #taken, -1)
    for first = 1, #taken, 1000 do
        redis.call('RPUSH', KEYS[2], unpack(taken, first, math.min(first + 999, #taken)))
    end
end
return taken
