# A parameterized batch job, run by `nomad job dispatch`. examples/report-dispatch.yaml is this
# job as a NomadJob.
job "on-demand-report" {
  type        = "batch"
  datacenters = ["dc1"]

  parameterized {
    payload       = "required"
    meta_required = ["customer"]
    meta_optional = ["format"]
  }

  meta {
    format = "pdf"
  }

  group "report" {
    count = 1

    restart {
      attempts = 0
      mode     = "fail"
    }

    task "render" {
      driver = "docker"

      config {
        image = "registry.example/reports:1.8"
        args  = ["--order", "/local/order.json"]
      }

      dispatch_payload {
        file = "order.json"
      }

      resources {
        cpu    = 500
        memory = 256
      }
    }
  }
}
