# A web front end released with one canary: promoted automatically once it is healthy, rolled
# back to the last stable version if the deployment fails. examples/web-canary.yaml is this job
# as a NomadJob, plus the Kubernetes labels a job file cannot say.
#
#   caravan convert examples/nomad/web.nomad.hcl -var image=nginx:1.27.1 -var replicas=6
variable "image" {
  type        = string
  description = "the nginx image to run"
  default     = "nginx:1.27"
}

variable "replicas" {
  type    = number
  default = 4
}

job "web" {
  datacenters = ["*"]

  meta {
    team = "storefront"
  }

  update {
    max_parallel      = 2
    canary            = 1
    auto_promote      = true
    auto_revert       = true
    min_healthy_time  = "15s"
    healthy_deadline  = "2m"
    progress_deadline = "5m"
  }

  group "frontend" {
    count = var.replicas

    network {
      port "http" {
        to = 8080
      }
    }

    service {
      name = "web"
      port = "http"
      tags = ["public"]

      check {
        type     = "http"
        path     = "/healthz"
        interval = "5s"
        timeout  = "1s"
      }
    }

    # Resolved by the scheduler at placement time: kept as written.
    spread {
      attribute = "${node.datacenter}"
      weight    = 100
    }

    task "nginx" {
      driver = "docker"

      config {
        image = var.image
        ports = ["http"]
      }

      env {
        LISTEN_PORT = "8080"
      }

      resources {
        cpu    = 250
        memory = 128
      }
    }
  }
}
