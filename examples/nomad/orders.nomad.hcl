# An API and its background worker. The job-level update block rolls 2 at a time; the worker
# group overrides only what it needs (one at a time, a longer healthy time).
# examples/api-rolling.yaml is this job as a NomadJob, plus the api group's Kubernetes settings.
#
#   caravan convert examples/nomad/orders.nomad.hcl -var version=2.4.0
variable "registry" {
  default = "registry.example"
}

variable "version" {
  type    = string
  default = "2.3.1"
}

locals {
  api_image    = "${var.registry}/orders-api:${var.version}"
  worker_image = "${var.registry}/orders-worker:${var.version}"
}

job "orders" {
  datacenters = ["dc1", "dc2"]
  priority    = 70

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  update {
    max_parallel      = 2
    health_check      = "checks"
    min_healthy_time  = "10s"
    healthy_deadline  = "3m"
    progress_deadline = "8m"
    auto_revert       = true
  }

  group "api" {
    count = 6

    network {
      port "http" {
        to = 3000
      }
      port "metrics" {
        to = 9102
      }
    }

    service {
      name = "orders-api"
      port = "http"

      check {
        name     = "ready"
        type     = "http"
        path     = "/ready"
        interval = "10s"
        timeout  = "2s"
      }

      check {
        name = "port"
        type = "tcp"
        port = "metrics"
      }
    }

    task "server" {
      driver = "docker"

      config {
        image = local.api_image
        args  = ["--port", "3000"]
        ports = ["http", "metrics"]
      }

      env {
        LOG_LEVEL = "info"
      }

      resources {
        cpu        = 1000
        memory     = 512
        memory_max = 1024
      }

      kill_timeout = "20s"
    }
  }

  group "worker" {
    count = 3

    update {
      max_parallel     = 1
      min_healthy_time = "30s"
    }

    reschedule {
      delay          = "10s"
      delay_function = "exponential"
      max_delay      = "5m"
      unlimited      = true
    }

    task "consumer" {
      driver = "docker"

      config {
        image   = local.worker_image
        command = "/bin/worker"
        args    = ["--queue", "orders"]
      }

      resources {
        cpu    = 500
        memory = 256
      }
    }
  }
}
