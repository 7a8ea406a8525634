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
-- Updates of tasks without a record are settled in the script first (per task its newest "at", the later
-- on a tie, as if applied one by one) and written with a few multi-field calls: a call per update was most
-- of the intake's cost in Redis.
local function typeOf(key)
    return redis.call('TYPE', key)['ok']
end
-- calls command with its fixed arguments and then items, in slices that Lua's unpack takes
local function inSlices(command, key, items)
    for first = 1, #items, 1000 do
        redis.call(command, key, unpack(items, first, math.min(first + 999, #items)))
    end
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
local hasRecord = {}
for i = 1, count do
    local found = typeOf(KEYS[5 + i])
    if found == 'hash' then
        hasRecord[i] = true
    elseif found ~= 'none' then
        bad[i] = true
        refused[#refused + 1] = i .. '\t' .. KEYS[5 + i] .. '\t' .. found
    end
end
if ARGV[1] == 'all' and #refused > 0 then
    return refused
end
local newest = {}   -- id -> {at, state} of tasks without a record
local ids = {}
local kept = {}
for i = 1, count do
    local base = 2 + 5 * (i - 1)
    local id, state, at, json, entry = ARGV[base], ARGV[base + 1], ARGV[base + 2], ARGV[base + 3], ARGV[base + 4]
    if bad[i] then
        redis.call('RPUSH', KEYS[5], entry)
    else
        if hasRecord[i] then
            local record = KEYS[5 + i]
            local seen = tonumber(redis.call('HGET', record, 'state_at'))
            if not (seen and seen > tonumber(at)) then
                redis.call('HSET', record, 'state', state, 'state_at', at)
            end
        else
            local winner = newest[id]
            if not winner then
                ids[#ids + 1] = id
                newest[id] = {tonumber(at), state, at}
            elseif not (winner[1] > tonumber(at)) then
                newest[id] = {tonumber(at), state, at}
            end
        end
        -- kept even when older: the table's upsert decides by "at" as well, and counts every update
        kept[#kept + 1] = json
    end
    if entry ~= '' then
        redis.call('LREM', KEYS[4], 1, entry)
    end
end
local states, ats = {}, {}
for first = 1, #ids, 1000 do
    local slice = {unpack(ids, first, math.min(first + 999, #ids))}
    local seen = redis.call('HMGET', KEYS[2], unpack(slice))
    for j, id in ipairs(slice) do
        local winner = newest[id]
        local seenAt = tonumber(seen[j])
        if not (seenAt and seenAt > winner[1]) then
            states[#states + 1] = id
            states[#states + 1] = winner[2]
            ats[#ats + 1] = id
            ats[#ats + 1] = winner[3]
        end
    end
end
inSlices('HSET', KEYS[1], states)
inSlices('HSET', KEYS[2], ats)
inSlices('RPUSH', KEYS[3], kept)
return refused
