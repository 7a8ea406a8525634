-- What an instance that stopped renewing its lease held (StatusPending): its batch in flight goes back
-- to the pending list, its processing list back to the workers' list, so a dead instance that never
-- comes back under its id (a recreated container) loses nothing. Taking one twice is harmless: the newest
-- "at" wins. The per-instance keys are built here from ARGV[1] and are not declared: one Redis, not a
-- Redis Cluster.
-- KEYS[1] the set of instances that may hold a batch, KEYS[2] pending list, KEYS[3] workers' list
-- ARGV[1] key prefix. Returns how many updates and entries went back.
local moved = 0
for _, instance in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    if redis.call('EXISTS', ARGV[1] .. 'lease:' .. instance) == 0 then
        local flushing = ARGV[1] .. 'flushing:' .. instance
        local processing = ARGV[1] .. 'processing:' .. instance
        while redis.call('LMOVE', flushing, KEYS[2], 'RIGHT', 'LEFT') do
            moved = moved + 1
        end
        while redis.call('LMOVE', processing, KEYS[3], 'LEFT', 'RIGHT') do
            moved = moved + 1
        end
        redis.call('SREM', KEYS[1], instance)
    end
end
return moved
