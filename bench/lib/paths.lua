-- wrk: send the request paths listed in the file named by $PATHS, one after the other, round robin.
-- Answers other than 200 are counted by status and printed at the end ("status 429: 12").
local paths = {}
for line in io.lines(os.getenv("PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

local watched = { 304, 400, 404, 429, 500, 503 }
local threads = {}
setup = function(thread) threads[#threads + 1] = thread end
response = function(status)
  if status ~= 200 then
    local name = "status_" .. status
    _G[name] = (_G[name] or 0) + 1
  end
end
done = function()
  for _, status in ipairs(watched) do
    local total = 0
    for _, thread in ipairs(threads) do total = total + (thread:get("status_" .. status) or 0) end
    if total > 0 then io.write(string.format("status %d: %d\n", status, total)) end
  end
end
