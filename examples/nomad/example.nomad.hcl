# Nomad's `example` job, as `nomad job init` writes it, less the parts Caravan leaves out (its
# migrate block: Kubernetes handles node drains). examples/example.yaml is this job as a
# NomadJob, and example.json is the API JSON `nomad job run -output` prints for it.
#
#   caravan convert examples/nomad/example.nomad.hcl
job "example" {
  datacenters = ["dc1"]
  type        = "service"

  update {
    max_parallel      = 1
    min_healthy_time  = "10s"
    healthy_deadline  = "3m"
    progress_deadline = "10m"
    auto_revert       = false
    canary            = 0
  }

  group "cache" {
    count = 1

    network {
      port "db" {
        to = 6379
      }
    }

    restart {
      attempts = 2
      interval = "30m"
      delay    = "15s"
      mode     = "fail"
    }

    ephemeral_disk {
      size = 300
    }

    task "redis" {
      driver = "docker"

      config {
        image = "redis:7"
        ports = ["db"]
      }

      resources {
        cpu    = 500 # 500 MHz
        memory = 256 # 256MB
      }
    }
  }
}
