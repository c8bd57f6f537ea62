# A batch job launched every night; batch jobs have no update block and are retried per their
# restart and reschedule policies. examples/nightly-report.yaml is this job as a NomadJob.
job "nightly-report" {
  type        = "batch"
  datacenters = ["dc1"]

  periodic {
    cron             = "0 2 * * *"
    prohibit_overlap = true
    time_zone        = "Europe/Berlin"
  }

  group "report" {
    count = 1

    restart {
      attempts = 1
      delay    = "30s"
      mode     = "fail"
    }

    reschedule {
      attempts       = 2
      interval       = "6h"
      delay          = "1m"
      delay_function = "constant"
      unlimited      = false
    }

    task "build" {
      driver = "docker"

      config {
        image = "registry.example/reports:1.8"
        args  = ["--since", "24h"]
      }

      resources {
        cpu    = 2000
        memory = 2048
      }
    }
  }
}
