#!/usr/bin/env bash
# Builds Caravan (tsc to dist/) and runs its CLI: npm run caravan -- cluster status
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
tsc -p tsconfig.json
exec node dist/cli/main.js "$@"
