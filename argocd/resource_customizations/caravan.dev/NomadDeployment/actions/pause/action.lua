-- Pause the deployment (nomad deployment pause): no new allocations are placed until resumed.
obj.spec.paused = true
return obj
