-- Promote the canaries of every task group: spec.promote = {all = true}, which replaces a
-- list of groups (the CRD accepts one or the other). Caravan promotes once the canaries are
-- healthy and says in status condition IntentHonoured why not while they are not.
obj.spec.promote = { all = true }
return obj
