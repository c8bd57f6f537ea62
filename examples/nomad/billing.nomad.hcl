# A service whose health is decided by people or a pipeline (health_check "manual"), and a
# prestart task that runs database migrations before the server starts.
# examples/migrations-manual.yaml is this job as a NomadJob.
variable "version" {
  default = "5.0.0"
}

job "billing" {
  datacenters = ["dc2"]

  update {
    health_check      = "manual"
    canary            = 2
    max_parallel      = 1
    min_healthy_time  = "0s"
    healthy_deadline  = "30m"
    progress_deadline = "1h"
  }

  group "billing" {
    count = 2

    network {
      port "grpc" {
        to = 50051
      }
    }

    service {
      name = "billing"
      port = "grpc"

      check {
        type         = "grpc"
        grpc_service = "billing.v1.Billing"
        interval     = "10s"
        timeout      = "3s"
      }
    }

    task "migrate" {
      driver = "docker"

      lifecycle {
        hook = "prestart"
      }

      config {
        image   = "registry.example/billing:${var.version}"
        command = "/app/migrate"
      }

      resources {
        cpu    = 200
        memory = 128
      }
    }

    task "server" {
      driver = "docker"

      config {
        image = "registry.example/billing:${var.version}"
        ports = ["grpc"]
      }

      env {
        GRPC_PORT = "50051"
      }

      resources {
        cpu    = 500
        memory = 512
      }
    }
  }
}
