-- A spread crawl's limits: takes one permit of its lookups in flight (KEYS[1]) and one of the lookup's level
-- (KEYS[2]), both or none. A permit is a member of a sorted set scored by the time it expires (ms): the permits
-- of an instance that died go back once its lease (ARGV[2], ms) has run out.
-- ARGV: permit id, lease ms, most in flight, most of the level. Returns 1 when taken, else 0.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) or redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then
    return 0
end
local expires = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expires, ARGV[1])
redis.call('ZADD', KEYS[2], expires, ARGV[1])
-- a day after their last use the keys of a run go
redis.call('PEXPIRE', KEYS[1], 86400000)
redis.call('PEXPIRE', KEYS[2], 86400000)
return 1
