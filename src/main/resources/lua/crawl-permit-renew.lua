-- A spread crawl's limits: renews the lease of permits still held (crawl-permit-take.lua), so that a lookup
-- longer than the lease keeps its place in the limits. KEYS[1]: its lookups in flight, KEYS[2]: the level's;
-- ARGV[1]: the lease (ms), ARGV[2..]: the permit ids. A permit that expired meanwhile is not taken again.
local t = redis.call('TIME')
local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
local renewed = 0
for i = 2, #ARGV do
    renewed = renewed + redis.call('ZADD', KEYS[1], 'XX', 'CH', expires, ARGV[i])
    redis.call('ZADD', KEYS[2], 'XX', expires, ARGV[i])
end
return renewed
