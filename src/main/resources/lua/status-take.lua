-- The reliable queue's take (StatusQueue): moves up to ARGV[1] entries from the workers' list KEYS[1]
-- into this instance's processing list KEYS[2], oldest first, and returns them. An entry leaves the
-- processing list only once its update is in PostgreSQL.
-- KEYS[3] this instance's lease, KEYS[4] the set of instances; ARGV[2] its id, ARGV[3] lease (ms): renewed
-- here as well as by the flush, so entries taken while the flush is held up (a database that hangs) are
-- never given back to the workers' list under a living instance
redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
redis.call('SADD', KEYS[4], ARGV[2])
local taken = {}
for i = 1, tonumber(ARGV[1]) do
    local entry = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
    if not entry then
        break
    end
    taken[i] = entry
end
return taken
