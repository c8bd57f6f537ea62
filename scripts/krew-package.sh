#!/usr/bin/env bash
# Builds the krew archive of the kubectl nomad plugin and its manifest (issue 16):
#   build/krew/kubectl-nomad-linux-amd64.tar.gz   kubectl-nomad (a launcher), dist/, package.json,
#                                                 the production node_modules
#   build/krew/nomad.yaml                         plugins/krew/nomad.yaml with the archive's sha256
# The plugin runs on the machine's Node 24 (`node` on PATH), like `npm install -g caravan`.
# Usage: scripts/krew-package.sh [download-url-prefix]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PATH=$root/node_modules/.bin:$PATH
version=$(node -p 'require("./package.json").version')
url=${1:-https://github.com/caravan-dev/caravan/releases/download/v$version}
out=$root/build/krew
stage=$(mktemp -d "${TMPDIR:-/tmp}/caravan-krew.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out" "$stage/pkg"
tsc -p tsconfig.json >/dev/null || true # type errors are npm test's to report; the emitted JavaScript is what ships
node scripts/bundle.ts
cp -r dist package.json package-lock.json "$stage/pkg/"
find "$stage/pkg/dist" -name '*.map' -delete
(cd "$stage/pkg" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error)
cat >"$stage/pkg/kubectl-nomad" <<'SH'
#!/bin/sh
# kubectl nomad, installed by krew: runs the plugin with the Node 24 on PATH.
here=$(dirname "$(readlink -f "$0")")
case "$(node --version 2>/dev/null)" in
  v24.*) exec node "$here/dist/plugin/main.js" "$@" ;;
  *) echo "kubectl nomad needs Node 24 on PATH (found: $(node --version 2>/dev/null || echo none))" >&2; exit 1 ;;
esac
SH
chmod 0755 "$stage/pkg/kubectl-nomad"
archive=$out/kubectl-nomad-linux-amd64.tar.gz
tar -C "$stage/pkg" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -czf "$archive" .
sha=$(sha256sum "$archive" | cut -d' ' -f1)
sed -e "s|{{VERSION}}|v$version|g" -e "s|{{URL}}|$url/kubectl-nomad-linux-amd64.tar.gz|" -e "s|{{SHA256}}|$sha|" plugins/krew/nomad.yaml >"$out/nomad.yaml"
echo "$out/nomad.yaml"
