-- The reader mix of bench/load.py, run by wrk: every request picks a persona (anonymous, metered,
-- subscriber), one of its sessions and a page, each by weight. The plan (personas, sessions,
-- pages, weights) is the Lua file bench/load.py writes and names as the script's first argument.

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local plan

function init(args)
  plan = dofile(args[1])
  -- A fixed seed per thread: every run sends the same sequence of requests.
  math.randomseed(plan.seed + thread_number)
end

local function pick(choices)
  local total = 0
  for _, choice in ipairs(choices) do
    total = total + choice.weight
  end
  local point = math.random() * total
  for _, choice in ipairs(choices) do
    point = point - choice.weight
    if point < 0 then
      return choice
    end
  end
  return choices[#choices]
end

local function any(list)
  return list[math.random(#list)]
end

function request()
  local persona = pick(plan.personas)
  local page = pick(plan.pages)
  local headers = {}
  if #persona.cookies > 0 then
    headers["Cookie"] = any(persona.cookies)
  end
  return wrk.format("GET", any(page.paths), headers)
end
