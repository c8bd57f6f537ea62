# A system job: one log-shipping agent on every node in the job's datacenters.
# examples/node-agent.yaml is this job as a NomadJob, plus the toleration that lets it run on
# every Kubernetes node, which a job file cannot say. (A Nomad job would often also mount the
# Docker socket and render vector.yaml with a template block; Caravan leaves both out.)
job "log-shipper" {
  type        = "system"
  datacenters = ["*"]
  priority    = 90

  update {
    max_parallel      = 3
    min_healthy_time  = "5s"
    healthy_deadline  = "1m"
    progress_deadline = "3m"
  }

  group "agent" {
    count = 1

    task "vector" {
      driver = "docker"

      config {
        image = "timberio/vector:0.40.0-debian"
        args  = ["--config", "/etc/vector/vector.yaml"]
      }

      resources {
        cpu    = 200
        memory = 128
      }
    }
  }
}
