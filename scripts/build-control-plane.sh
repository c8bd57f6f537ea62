#!/usr/bin/env bash
# Builds the local control plane from Go modules with this machine's Go toolchain:
#   kube-apiserver, kube-controller-manager, kube-scheduler (Kubernetes $K8S_VERSION),
#   etcd ($ETCD_VERSION) and kwok ($KWOK_VERSION).
# Binaries go to a cache outside the repository, one folder per component and version, so a
# version bump rebuilds only that component and a warm cache costs nothing. Nothing prebuilt is
# downloaded: only Go modules from the module proxy.
#
# Usage: scripts/build-control-plane.sh            # build what is missing, print the bin folders
#        CARAVAN_CACHE=/some/dir scripts/...         # cache root (default ~/.cache/caravan)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

CACHE=${CARAVAN_CACHE:-$HOME/.cache/caravan}
export GOTOOLCHAIN=local GOFLAGS=-modcacherw CGO_ENABLED=0

command -v go >/dev/null || { echo "build-control-plane: 'go' is not on PATH; the control plane is built from Go modules" >&2; exit 1; }

log() { printf '[build-control-plane %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Runs a long command while printing a heartbeat every 30 s, so a cold build shows progress.
with_heartbeat() {
  local what=$1; shift
  local start=$SECONDS
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    if kill -0 "$pid" 2>/dev/null && (( (SECONDS - start) % 30 < 5 )); then
      log "  … $what still running ($((SECONDS - start)) s)"
    fi
  done
  wait "$pid"
}

build_k8s() {
  local root=$CACHE/k8s-$K8S_VERSION bin=$CACHE/k8s-$K8S_VERSION/bin
  if [[ -x $bin/kube-apiserver && -x $bin/kube-controller-manager && -x $bin/kube-scheduler ]]; then
    log "kubernetes $K8S_VERSION: cached in $bin"; return
  fi
  local t0=$SECONDS
  log "kubernetes $K8S_VERSION: building kube-apiserver, kube-controller-manager, kube-scheduler (cold: about 7 min of the 8 on 2 cores)"
  rm -rf "$root/src"; mkdir -p "$root/src" "$bin"; cd "$root/src"
  go mod init local.invalid/caravan-k8s-bins >/dev/null 2>&1
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and maps them to ./staging with
  # replace lines, which only apply in the main module. Mirror upstream's replace block, pointing
  # each staging module at its published tag v0.Y.Z (the same code as v1.Y.Z).
  local up staging=v0.${K8S_VERSION#v1.}
  up=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  [[ -f $up ]] || { log "could not read k8s.io/kubernetes@$K8S_VERSION go.mod from the module proxy"; exit 1; }
  local n=0
  for m in $(sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\) => \./staging/src/.*#\1#p' "$up"); do
    go mod edit -replace="$m=$m@$staging"; n=$((n + 1))
  done
  log "  $n staging modules replaced with $staging"
  if grep -E '=>' "$up" | grep -vq '\./staging/src/'; then
    log "  WARNING: upstream go.mod has replace lines other than staging ones:"; grep -E '=>' "$up" | grep -v '\./staging/src/' >&2
  fi
  go mod edit -go="$(sed -n 's/^go \(.*\)$/\1/p' "$up")"
  local gd; gd=$(sed -n 's/^godebug \(.*\)$/\1/p' "$up")
  [[ -n $gd ]] && go mod edit -godebug="$gd"
  log "  resolving modules"
  with_heartbeat "module download" go get -tool \
    "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@$K8S_VERSION" \
    "k8s.io/kubernetes/cmd/kube-scheduler@$K8S_VERSION"
  go mod tidy
  local minor ldf="-s -w"
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldf="$ldf -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  log "  compiling (the longest step)"
  with_heartbeat "kubernetes compile" go build -trimpath -tags=selinux,notest,grpcnotrace -ldflags="$ldf" -o "$bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler
  "$bin/kube-apiserver" --version >&2
  log "kubernetes $K8S_VERSION: built in $((SECONDS - t0)) s"
}

build_etcd() {
  local root=$CACHE/etcd-$ETCD_VERSION bin=$CACHE/etcd-$ETCD_VERSION/bin
  if [[ -x $bin/etcd ]]; then log "etcd $ETCD_VERSION: cached in $bin"; return; fi
  local t0=$SECONDS
  log "etcd $ETCD_VERSION: building"
  # etcd's server module has replace lines too, so it is built from its own small main module
  # (separate from the Kubernetes one so the two dependency graphs do not mix).
  rm -rf "$root/src"; mkdir -p "$root/src" "$bin"; cd "$root/src"
  go mod init local.invalid/caravan-etcd-bin >/dev/null 2>&1
  with_heartbeat "etcd module download" go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  go mod tidy
  with_heartbeat "etcd compile" go build -trimpath -ldflags="-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3
  "$bin/etcd" --version >&2
  log "etcd $ETCD_VERSION: built in $((SECONDS - t0)) s"
}

build_kwok() {
  local bin=$CACHE/kwok-$KWOK_VERSION/bin
  if [[ -x $bin/kwok ]]; then log "kwok $KWOK_VERSION: cached in $bin"; return; fi
  local t0=$SECONDS
  log "kwok $KWOK_VERSION: building"
  mkdir -p "$bin"
  # kwok's go.mod has no replace lines, so a plain go install works.
  with_heartbeat "kwok build" env GOBIN="$bin" go install -trimpath -ldflags="-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  "$bin/kwok" --version >&2 || true
  log "kwok $KWOK_VERSION: built in $((SECONDS - t0)) s"
}

total=$SECONDS
mkdir -p "$CACHE"
# One build at a time: a second caller waits for the first instead of racing it.
exec 9>"$CACHE/.build.lock"
flock 9
build_etcd
build_kwok
build_k8s
log "control plane ready in $((SECONDS - total)) s"
echo "$CACHE/k8s-$K8S_VERSION/bin"
echo "$CACHE/etcd-$ETCD_VERSION/bin"
echo "$CACHE/kwok-$KWOK_VERSION/bin"
