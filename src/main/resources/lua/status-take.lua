-- The reliable queue's take (StatusQueue): moves up to ARGV[1] entries from the workers' list KEYS[1]
-- into this instance's processing list KEYS[2], oldest first, and returns them. An entry leaves the
-- processing list only once its update is in PostgreSQL.
local taken = {}
for i = 1, tonumber(ARGV[1]) do
    local entry = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
    if not entry then
        break
    end
    taken[i] = entry
end
return taken
