-- Argo CD actions on a Caravan NomadDeployment. Each writes operator intent into the spec
-- (like `nomad deployment promote|pause|resume|fail`); Caravan acts on it and reports in status.
-- An action is enabled only where it makes sense now (Argo CD greys the others out).

local status = obj.status or {}
local spec = obj.spec or {}
-- A deployment Caravan has not written a status for yet is running (it reads it that way too).
local current = status.status or "running"
local active = current == "running" or current == "paused"
local pauseRequested = spec.paused == true

-- Some group still has canaries to promote, and the operator has not asked for all of them.
local awaitsPromotion = false
if current == "running" and not (spec.promote ~= nil and spec.promote.all == true) then
  for _, g in pairs(status.taskGroups or {}) do
    if (g.desiredCanaries or 0) > 0 and g.promoted ~= true then
      awaitsPromotion = true
    end
  end
end

local actions = {}
-- Caravan promotes only a running deployment; a paused one is resumed first.
actions["promote"] = {
  displayName = "Promote canaries",
  iconClass = "fa fa-fw fa-forward",
  disabled = not (awaitsPromotion and not pauseRequested),
}
actions["pause"] = {
  displayName = "Pause",
  iconClass = "fa fa-fw fa-pause-circle",
  disabled = not (active and current ~= "paused" and not pauseRequested),
}
-- spec.paused false on a paused deployment: resuming is already asked for.
actions["resume"] = {
  displayName = "Resume",
  iconClass = "fa fa-fw fa-play-circle",
  disabled = not (active and spec.paused ~= false and (current == "paused" or pauseRequested)),
}
actions["fail"] = {
  displayName = "Mark failed",
  iconClass = "fa fa-fw fa-times-circle",
  disabled = not (active and spec.failed ~= true),
}
return actions
