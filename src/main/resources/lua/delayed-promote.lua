-- Delayed tasks' move from PostgreSQL (DelayedQueue): adds members to sorted set KEYS[1] (ARGV: score,
-- member, score, member, ...) and lists them in KEYS[2] until their rows are gone. A member marked
-- released (KEYS[3]) was moved and released before, by a move that died before its commit: not again.
-- Returns how many members are new.
local added = 0
for i = 1, #ARGV, 2 do
    local member = ARGV[i + 1]
    if redis.call('SISMEMBER', KEYS[3], member) == 0 then
        redis.call('SADD', KEYS[2], member)
        added = added + redis.call('ZADD', KEYS[1], ARGV[i], member)
    end
end
return added
