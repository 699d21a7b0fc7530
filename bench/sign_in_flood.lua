-- Posts wrong passwords to /login as fast as wrk's connections allow, each from its own client
-- address (X-Forwarded-For, believed by a portal started with --trust-forwarded-for) and for its
-- own unknown e-mail, so the throttle never refuses one early: every attempt costs an argon2
-- verification, the worst a distributed flood can do. FLOOD_COOKIE and FLOOD_TOKEN are an
-- anonymous session's cookie and its CSRF token (bench/sign_in_flood.sh).
local cookie = os.getenv("FLOOD_COOKIE")
local token = os.getenv("FLOOD_TOKEN")
local counter = 0

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

request = function()
  counter = counter + 1
  local n = (seed or 0) * 100000 + counter
  local address = string.format("10.%d.%d.%d", n % 251, math.floor(n / 251) % 251, math.floor(n / 63001) % 251 + 1)
  local body = "csrf_token=" .. token .. "&email=flood" .. n .. "%40bench.example&password=not+the+password+" .. n
  return wrk.format("POST", "/login", {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = address,
  }, body)
end
