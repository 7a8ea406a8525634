-- A spread crawl's limits: takes up to ARGV[5] permits, each one of its lookups in flight (KEYS[1]) and one of
-- the lookups' level (KEYS[2]), as many as both limits allow. A permit is a member of a sorted set scored by the
-- time it expires (ms): the permits of an instance that died go back once its lease (ARGV[2], ms) has run out.
-- ARGV: permit id prefix (ids are <prefix>:1, :2, ...), lease ms, most in flight, most of the level, how many.
-- Returns how many were taken.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local room = math.min(tonumber(ARGV[3]) - redis.call('ZCARD', KEYS[1]), tonumber(ARGV[4]) - redis.call('ZCARD', KEYS[2]),
    tonumber(ARGV[5]))
if room <= 0 then
    return 0
end
local expires = now + tonumber(ARGV[2])
for i = 1, room do
    redis.call('ZADD', KEYS[1], expires, ARGV[1] .. ':' .. i)
    redis.call('ZADD', KEYS[2], expires, ARGV[1] .. ':' .. i)
end
-- a day after their last use the keys of a run go
redis.call('PEXPIRE', KEYS[1], 86400000)
redis.call('PEXPIRE', KEYS[2], 86400000)
return room
