-- wrk script of bench/run: one scenario, chosen by the environment.
--   BENCH_SCENARIO  returning | new | invalid | id_token | me | floor | provider
--   BENCH_EXPECT    the status every answer must have (default 200)
--   BENCH_POOL      a file of lines: user ids (returning), ID tokens (id_token) or
--                   API tokens (me), picked round-robin
--   BENCH_RUN       a word unique to this run, so that tokens and new users of one
--                   run never repeat those of another
--   BENCH_PREFIX    where the program is mounted ("" or "/socialauth.cgi")
-- done() prints one line "BENCH {json}" that bench/run reads.

local scenario = os.getenv("BENCH_SCENARIO") or "returning"
local expected = tonumber(os.getenv("BENCH_EXPECT") or "200")
local pool_file = os.getenv("BENCH_POOL")
local run = os.getenv("BENCH_RUN") or "0"
local prefix = os.getenv("BENCH_PREFIX") or ""

local form = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local exchange_path = prefix .. "/social/google-oauth2/"

local threads = {}
local thread_count = 0

function setup(thread)
    thread_count = thread_count + 1
    thread:set("thread_id", thread_count)
    table.insert(threads, thread)
end

local pool = {}
local counter = 0
unexpected = 0

function init(args)
    if pool_file then
        for line in io.lines(pool_file) do
            if line ~= "" then pool[#pool + 1] = line end
        end
    end
    -- each thread starts at its own place in the pool
    counter = thread_id * 7919
end

local function from_pool()
    return pool[counter % #pool + 1]
end

-- a token never sent before: the provider has to be asked
local function fresh_suffix()
    return run .. "-" .. thread_id .. "-" .. counter
end

local builders = {
    returning = function()
        local token = "pattern.google." .. from_pool() .. "." .. fresh_suffix()
        return wrk.format("POST", exchange_path, form, "access_token=" .. token)
    end,
    new = function()
        -- digits only: the user id of a pattern token
        local user = "9" .. run .. string.format("%02d%09d", thread_id, counter)
        return wrk.format("POST", exchange_path, form,
                          "access_token=pattern.google." .. user .. ".x")
    end,
    invalid = function()
        return wrk.format("POST", exchange_path, form, "access_token=ya29.unknown-" .. fresh_suffix())
    end,
    id_token = function()
        return wrk.format("POST", exchange_path, form, "id_token=" .. from_pool())
    end,
    me = function()
        return wrk.format("GET", prefix .. "/me", { Authorization = "Token " .. from_pool() })
    end,
    floor = function()
        return wrk.format("GET", "/")
    end,
    -- the two calls an access-token exchange makes, alternately
    provider = function()
        local token = "pattern.google." .. from_pool() .. "." .. fresh_suffix()
        if counter % 2 == 0 then
            return wrk.format("POST", "/tokeninfo", form, "access_token=" .. token)
        end
        return wrk.format("GET", "/v1/userinfo", { Authorization = "Bearer " .. token })
    end,
}
local build = builders[scenario]
if build == nil then error("bench/scenario.lua: unknown BENCH_SCENARIO " .. scenario) end

function request()
    counter = counter + 1
    return build()
end

function response(status, headers, body)
    if status ~= expected then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
    local wrong = 0
    for _, thread in ipairs(threads) do wrong = wrong + thread:get("unexpected") end
    local e = summary.errors
    io.write(string.format(
        'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
        '"socket_errors": %d, "timeouts": %d, "unexpected_status": %d}\n',
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
        e.connect + e.read + e.write, e.timeout, wrong))
end
