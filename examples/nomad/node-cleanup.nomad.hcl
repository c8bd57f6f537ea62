# A sysbatch job: prunes unused images once on every node of dc1, then is done.
# examples/node-cleanup.yaml is this job as a NomadJob, plus the local cluster's simulated Pod
# behaviour, which a job file cannot say.
job "node-cleanup" {
  type        = "sysbatch"
  datacenters = ["dc1"]

  group "prune" {
    count = 1

    restart {
      attempts = 0
      mode     = "fail"
    }

    task "prune" {
      driver = "docker"

      config {
        image   = "docker.io/library/busybox:1.36"
        command = "sh"
        args    = ["-c", "echo pruning images on $NOMAD_NODE_NAME"]
      }

      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
