-- Delayed tasks' release (DelayedQueue): takes the members of sorted set KEYS[1] due by ARGV[1] (epoch
-- ms), at most ARGV[2], adds each one's element to its target set and removes the member, all in one
-- atomic step: two instances never release one member twice. A member whose target is not a set (or
-- that is not a task) goes to KEYS[4] instead of blocking the rest. A released member that a scan is
-- still moving (in KEYS[2]) is marked in KEYS[3], so that a repeated move does not add it again.
-- Returns {released, failed member, ...}.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local released = 0
local failed = {}
for _, member in ipairs(due) do
    local ok, task = pcall(cjson.decode, member)
    local added = nil
    if ok and type(task) == 'table' and type(task.set) == 'string' and type(task.element) == 'string' then
        added = redis.pcall('SADD', task.set, task.element)
    end
    if type(added) == 'number' then
        released = released + 1
    else
        redis.call('ZADD', KEYS[4], ARGV[1], member)
        failed[#failed + 1] = member
    end
    redis.call('ZREM', KEYS[1], member)
    if redis.call('SISMEMBER', KEYS[2], member) == 1 then
        redis.call('SADD', KEYS[3], member)
    end
end
table.insert(failed, 1, released)
return failed
