-- Workers' status updates applied atomically (StatusCache) and kept for the flush to PostgreSQL: each
-- applied update is appended to the pending list, shared by every instance, in the same step. The newest
-- "at" of a task wins. A task record of another type than a hash (a worker's mistake) cannot take a
-- state: the update is refused, by type, before anything is written.
-- KEYS[1] hash id -> state, KEYS[2] hash id -> at, KEYS[3] pending list, KEYS[4] processing list (the
-- list intake's), KEYS[5] rejected list, KEYS[6..] each update's task record (a hash)
-- ARGV[1] "all": one refused update refuses them all and nothing is written (an HTTP request);
--         "each": a refused update's list entry goes to the rejected list, the others are applied
-- ARGV[2 + 5(i-1) ..] of update i: id, state, at (epoch ms), its JSON for the pending list, its list entry
-- Returns the refusals as "i<TAB>key<TAB>type" texts (i from 1; i 0 for a key of Harvester's own),
-- empty when every update was applied.
local function typeOf(key)
    return redis.call('TYPE', key)['ok']
end
local refused = {}
for _, own in ipairs({{KEYS[1], 'hash'}, {KEYS[2], 'hash'}, {KEYS[3], 'list'}, {KEYS[4], 'list'}, {KEYS[5], 'list'}}) do
    local found = typeOf(own[1])
    if found ~= 'none' and found ~= own[2] then
        return {'0\t' .. own[1] .. '\t' .. found}
    end
end
local count = #KEYS - 5
local bad = {}
for i = 1, count do
    local found = typeOf(KEYS[5 + i])
    if found ~= 'none' and found ~= 'hash' then
        bad[i] = true
        refused[#refused + 1] = i .. '\t' .. KEYS[5 + i] .. '\t' .. found
    end
end
if ARGV[1] == 'all' and #refused > 0 then
    return refused
end
for i = 1, count do
    local base = 2 + 5 * (i - 1)
    local id, state, at, json, entry = ARGV[base], ARGV[base + 1], ARGV[base + 2], ARGV[base + 3], ARGV[base + 4]
    if bad[i] then
        redis.call('RPUSH', KEYS[5], entry)
    else
        local record = KEYS[5 + i]
        local newer = false
        if redis.call('EXISTS', record) == 1 then
            local seen = tonumber(redis.call('HGET', record, 'state_at'))
            if not (seen and seen > tonumber(at)) then
                redis.call('HSET', record, 'state', state, 'state_at', at)
            end
        else
            local seen = tonumber(redis.call('HGET', KEYS[2], id))
            if not (seen and seen > tonumber(at)) then
                redis.call('HSET', KEYS[1], id, state)
                redis.call('HSET', KEYS[2], id, at)
            end
        end
        -- kept even when older: the table's upsert decides by "at" as well, and counts every update
        redis.call('RPUSH', KEYS[3], json)
    end
    if entry ~= '' then
        redis.call('LREM', KEYS[4], 1, entry)
    end
end
return refused
