#!/usr/bin/env bash
# Builds helm ($HELM_VERSION from versions.env) from Go modules into the same cache as the control
# plane (~/.cache/caravan/helm-<version>/bin), the way scripts/build-control-plane.sh builds kwok:
# nothing prebuilt is downloaded, a warm cache costs nothing, a version bump rebuilds it.
#
# Usage: scripts/build-helm.sh       # build if missing; prints the path of the helm binary
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

CACHE=${CARAVAN_CACHE:-$HOME/.cache/caravan}
bin=$CACHE/helm-$HELM_VERSION/bin
log() { printf '[build-helm %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [[ ! -x $bin/helm ]]; then
  if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then export PATH=/usr/local/go/bin:$PATH; fi
  command -v go >/dev/null || { echo "build-helm: 'go' is not on PATH; helm is built from Go modules" >&2; exit 1; }
  export GOTOOLCHAIN=local GOFLAGS=-modcacherw CGO_ENABLED=0
  mkdir -p "$CACHE"
  # The same lock as the control-plane build: one Go build at a time on a small machine.
  exec 9>"$CACHE/.build.lock"
  flock 9
  if [[ ! -x $bin/helm ]]; then
    t0=$SECONDS
    log "helm $HELM_VERSION: building (cold: 5-15 min on 2 cores; 15 min on a shared, loaded one)"
    mkdir -p "$bin"
    # helm's go.mod has no replace lines, so a plain go install works. The -X flag is what
    # helm's Makefile sets, so `helm version` names the release.
    GOBIN="$bin" go install -trimpath \
      -ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean" \
      "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
    log "helm $HELM_VERSION: built in $((SECONDS - t0)) s"
  fi
fi
"$bin/helm" version --short >&2
echo "$bin/helm"
