-- Argo CD health of a Caravan NomadDeployment (one roll-out of one NomadJob version).
-- Argo CD runs this in gopher-lua (Lua 5.1) with only the base and table libraries: no string
-- or math functions, no method calls on strings, no division (see docs/argocd.md).

local function health(status, message)
  return { status = status, message = message }
end

local function condition(conditions, conditionType)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function sortedNames(map)
  local names = {}
  for name, _ in pairs(map) do
    table.insert(names, name)
  end
  table.sort(names)
  return names
end

-- Whether the operator asked (spec.promote) for this group's canaries to be promoted.
local function promoteRequested(spec, group)
  local promote = spec and spec.promote
  if promote == nil then
    return false
  end
  if promote.all == true then
    return true
  end
  if promote.groups ~= nil then
    for _, g in ipairs(promote.groups) do
      if g == group then
        return true
      end
    end
  end
  return false
end

local status = obj.status
if status == nil or status.status == nil then
  return health("Progressing", "Waiting for Caravan to report on the deployment")
end
local description = status.statusDescription or status.status

-- A terminal deployment never changes again, so its outcome stands even if someone edited its
-- spec afterwards (Caravan refuses intent on it and need not observe that generation).
if status.status == "successful" or status.status == "cancelled" then
  return health("Healthy", description)
end
if status.status == "failed" then
  return health("Degraded", description)
end

local generation = obj.metadata and obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  return health("Progressing", "Waiting for Caravan to act on generation " .. generation .. " of the spec")
end

-- Intent Caravan cannot honour (e.g. promoting unhealthy canaries) is retried on every pass;
-- say why it has not happened yet, in Nomad's words.
local refusal = ""
local intent = condition(status.conditions, "IntentHonoured")
if intent ~= nil and intent.status == "False" and intent.message ~= nil then
  refusal = "; intent refused: " .. intent.message
end

if status.status == "paused" then
  return health("Suspended", description .. refusal)
end

if status.status == "running" then
  local groups = status.taskGroups or {}
  local canaries = {}
  local allocations = {}
  local awaitingOperator = false
  local awaitingCanaries = false
  local promotionRequested = false
  for _, name in ipairs(sortedNames(groups)) do
    local g = groups[name]
    local desiredCanaries = g.desiredCanaries or 0
    if desiredCanaries > 0 and g.promoted ~= true then
      local needed = g.stepCanaries or desiredCanaries
      local step = ""
      if g.canaryStep ~= nil then
        step = ", canary step " .. g.canaryStep
      end
      table.insert(canaries, name .. ": " .. (g.healthyAllocs or 0) .. "/" .. needed .. " canaries healthy" .. step)
      -- Nomad's rule: one canary group without auto_promote makes the whole deployment wait
      -- for a manual promotion, unless the operator already asked for it.
      if g.autoPromote == true then
        awaitingCanaries = true
      elseif promoteRequested(obj.spec, name) then
        awaitingCanaries = true
        promotionRequested = true
      else
        awaitingOperator = true
      end
    else
      table.insert(allocations, name .. ": " .. (g.healthyAllocs or 0) .. "/" .. (g.desiredTotal or 0) .. " allocations healthy")
    end
  end
  if awaitingOperator then
    return health("Suspended", "Deployment is running but requires manual promotion (" .. table.concat(canaries, ", ") .. ")" .. refusal)
  end
  if promotionRequested then
    return health("Progressing", "Promotion requested, waiting for healthy canaries (" .. table.concat(canaries, ", ") .. ")" .. refusal)
  end
  if awaitingCanaries then
    return health("Progressing", description .. " (" .. table.concat(canaries, ", ") .. ")" .. refusal)
  end
  if #allocations > 0 then
    return health("Progressing", description .. " (" .. table.concat(allocations, ", ") .. ")" .. refusal)
  end
  return health("Progressing", description .. refusal)
end

-- A status this script does not know: still moving, never Unknown.
return health("Progressing", description .. refusal)
