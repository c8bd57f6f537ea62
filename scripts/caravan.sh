#!/usr/bin/env bash
# Builds Caravan (scripts/build.sh: tsc and the bundle, to dist/) and runs its CLI: npm run caravan -- cluster status
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/build.sh
# As the image runs it (Dockerfile's ENV): small V8 semi-spaces and glibc's fixed thresholds keep the controller's RSS down.
export NODE_OPTIONS=${NODE_OPTIONS:---max-semi-space-size=2}
export GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072}
exec node dist/cli/main.js "$@"
