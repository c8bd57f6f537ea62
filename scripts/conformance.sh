#!/usr/bin/env bash
# Runs the Nomad HTTP API conformance suite (test/conformance, Go, HashiCorp's official
# github.com/hashicorp/nomad/api client) against a running Caravan API: `go vet`, then
# `go test -count=1 -v` with a timeout, then a one-line summary and the failed tests.
#
# Configuration, from the environment (see test/conformance/README.md):
#   NOMAD_ADDR                     Caravan's Nomad API, e.g. http://127.0.0.1:4646 (unset: every server test skips)
#   NOMAD_TOKEN                    a Kubernetes bearer token with rights in the namespace
#   CARAVAN_CONFORMANCE_NAMESPACE  the Kubernetes (= Nomad) namespace the tests use (default: default)
#   CARAVAN_UNPRIVILEGED_TOKEN     a valid token without RBAC rights (unset: those checks skip)
#   CARAVAN_CONFORMANCE_TIMEOUT    go test -timeout (default 25m)
#   CARAVAN_CONFORMANCE_KEEP=1     leave the jobs the tests create
#
# Usage: scripts/conformance.sh [go test flags, e.g. -run 'TestDeployments/Promote']
# Exit status: go vet's when it fails, else go test's (0: every test passed or skipped).
#
# Nothing is built or cached outside the repository except Go's own caches (GOMODCACHE for
# the api module from the module proxy, GOCACHE for compiled packages).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
suite=$root/test/conformance

# The machine's toolchain only (no automatic toolchain downloads); a module cache that can be
# deleted without chmod.
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:+$GOFLAGS }-modcacherw -mod=readonly"

log() { printf '[conformance] %s\n' "$*" >&2; }

command -v go >/dev/null || { log "'go' is not on PATH: the conformance suite is Go (test/conformance)"; exit 1; }

need=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$suite/go.mod")
have=$(go env GOVERSION | sed 's/^go//')
if [[ $(printf '%s\n%s\n' "$need" "$have" | sort -V | head -1) != "$need" ]]; then
  log "test/conformance/go.mod needs Go $need; this machine has $have"
  exit 1
fi

cd "$suite"
log "Go $have; API ${NOMAD_ADDR:-<NOMAD_ADDR unset: server tests will skip>}, namespace ${CARAVAN_CONFORMANCE_NAMESPACE:-default}"

log "go vet ./..."
if ! go vet ./...; then
  log "go vet failed"
  exit 1
fi

timeout=${CARAVAN_CONFORMANCE_TIMEOUT:-25m}
log "go test ./... -count=1 -v -timeout $timeout $*"
go test ./... -count=1 -v -timeout "$timeout" "$@" 2>&1 | awk '
  { print; fflush() }
  /^ *--- (PASS|FAIL|SKIP): / {
    status = $2; sub(":", "", status); name = $3
    kind = (index(name, "/") > 0) ? "sub" : "top"
    count[kind, status]++
    if (status == "FAIL") failed[++nfailed] = name
  }
  /^panic: |^FAIL\t.*\[build failed\]|^FAIL\t.*\[setup failed\]/ { broken = 1 }
  /^FAIL\t/ { pkgfail = 1 }
  END {
    printf "\n[conformance] tests: %d passed, %d failed, %d skipped; subtests: %d passed, %d failed, %d skipped\n",
      count["top", "PASS"], count["top", "FAIL"], count["top", "SKIP"],
      count["sub", "PASS"], count["sub", "FAIL"], count["sub", "SKIP"]
    for (i = 1; i <= nfailed; i++) printf "[conformance] FAIL %s\n", failed[i]
    if (broken) print "[conformance] the test binary did not build or panicked: see above"
    else if (pkgfail && nfailed == 0) print "[conformance] the suite failed before any test did (is the API at NOMAD_ADDR reachable?): see above"
  }'
status=${PIPESTATUS[0]}
exit "$status"
