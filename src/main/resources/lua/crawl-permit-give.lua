-- A spread crawl's limits: gives back a lookup's permits (crawl-permit-take.lua). ARGV[1]: the permit id.
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
