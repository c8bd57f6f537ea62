-- Resume a paused deployment (nomad deployment resume).
obj.spec.paused = false
return obj
