#!/usr/bin/env bash
# npm run build: tsc to dist/, then the two programs bundled over their entries there
# (dist/cli/main.js, dist/plugin/main.js; scripts/bundle.ts says why).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tsc -p tsconfig.json
node scripts/bundle.ts
