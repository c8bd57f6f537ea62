-- Argo CD health of a Caravan NomadJob. The NomadJob is what Git holds, so this is what an
-- Application's health is made of; its NomadDeployments are Caravan's and only shown in the tree.
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

local status = obj.status
if status == nil then
  return health("Progressing", "Waiting for Caravan to observe the job")
end

-- Everything below describes an older spec until Caravan has seen this one.
local generation = obj.metadata and obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  return health("Progressing", "Waiting for Caravan to observe generation " .. generation .. " of the spec")
end

local stalled = condition(status.conditions, "Stalled")
if stalled ~= nil and stalled.status == "True" and stalled.reason == "InvalidSpec" then
  return health("Degraded", "Caravan refuses the spec: " .. (stalled.message or ""))
end

-- Stopped on purpose (spec.stop): what an earlier deployment did no longer matters.
if obj.spec ~= nil and obj.spec.stop == true then
  if status.status == "dead" then
    return health("Healthy", "Job is stopped")
  end
  return health("Progressing", "Stopping: " .. (status.running or 0) .. " allocations still running")
end

-- An auto-revert runs the last stable version instead of the spec in Git, until the spec changes.
if status.revert ~= nil then
  local what = status.statusDescription or ("running job version " .. (status.revert.toVersion or "?") .. " (auto-revert)")
  return health("Degraded", what .. ": " .. (status.revert.reason or "the deployment failed"))
end

local deployment = status.latestDeployment
if deployment ~= nil then
  local about = (deployment.name or "deployment") .. ": " .. (deployment.statusDescription or deployment.status or "")
  if deployment.status == "failed" then
    return health("Degraded", about)
  end
  if deployment.status == "paused" then
    return health("Suspended", about)
  end
  if deployment.status == "running" then
    -- Nomad's own wording is all the job carries; its NomadDeployment knows more (canary health,
    -- a promotion already requested, or one still needed after a pause and resume).
    if deployment.statusDescription == "Deployment is running but requires manual promotion" then
      return health("Suspended", about)
    end
    return health("Progressing", about)
  end
end

local ready = condition(status.conditions, "Ready")
local counts = (ready and ready.message) or ""
if ready ~= nil and ready.status == "True" then
  if deployment ~= nil then
    return health("Healthy", (deployment.name or "deployment") .. ": " .. (deployment.statusDescription or "") .. "; " .. counts)
  end
  return health("Healthy", counts)
end

-- Nomad's "dead" without a stop: batch work that has finished, or allocations that all failed.
if status.status == "dead" then
  local failedGroups = {}
  local summary = status.summary or {}
  for _, name in ipairs(sortedNames(summary)) do
    local g = summary[name]
    if (g.failed or 0) > 0 and (g.complete or 0) == 0 then
      table.insert(failedGroups, name .. ": " .. g.failed .. " failed, none complete")
    end
  end
  if #failedGroups > 0 then
    return health("Degraded", "Job is dead (" .. table.concat(failedGroups, ", ") .. ")")
  end
  return health("Healthy", "Job is dead: its allocations have completed")
end

if counts == "" then
  counts = "Waiting for allocations"
end
return health("Progressing", counts)
