-- Mark the deployment failed (nomad deployment fail); with auto_revert the job rolls back to
-- its last stable version. The API server refuses to undo it.
obj.spec.failed = true
return obj
