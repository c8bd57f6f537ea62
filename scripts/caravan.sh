#!/usr/bin/env bash
# Builds Caravan (tsc to dist/) and runs its CLI: npm run caravan -- cluster status
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
tsc -p tsconfig.json
# As the image runs it (Dockerfile): small V8 semi-spaces keep the controller's RSS down.
export NODE_OPTIONS=${NODE_OPTIONS:---max-semi-space-size=2}
exec node dist/cli/main.js "$@"
