-- wrk: POST /api/v1/orders as the customers of the file $ORDERS (lines "token <access token>" and
-- "product <id>", from bench/Shop.LoadGen): each request the next customer's, 1 to 3 distinct random
-- products, quantity 1, an inline shipping address. Any answer but 201 is a failure (wrk counts non-2xx).
local tokens, products = {}, {}
for line in io.lines(os.getenv("ORDERS")) do
  local kind, value = line:match("^(%S+) (%S+)$")
  if kind == "token" then tokens[#tokens + 1] = value elseif kind == "product" then products[#products + 1] = value end
end

local address = '"shippingAddress":{"fullName":"Load Test","line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"}'
local threads = 0
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function init(args)
  math.randomseed(number)
  counter = number * 7
end

function request()
  counter = counter + 1
  local seen, items = {}, {}
  for _ = 1, math.random(1, 3) do
    local product = products[math.random(#products)]
    if not seen[product] then
      seen[product] = true
      items[#items + 1] = '{"productId":"' .. product .. '","quantity":1}'
    end
  end
  local headers = { ["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1], ["Content-Type"] = "application/json" }
  return wrk.format("POST", "/api/v1/orders", headers, '{"items":[' .. table.concat(items, ",") .. '],' .. address .. '}')
end
