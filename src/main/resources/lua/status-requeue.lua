-- At start-up (StatusQueue): entries a stopped or killed process left in its processing list go back to
-- the workers' list, to be taken again. Taking one twice is harmless: the newest "at" wins.
-- KEYS[1] processing list, KEYS[2] workers' list. Returns how many went back.
local moved = 0
while redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') do
    moved = moved + 1
end
return moved
