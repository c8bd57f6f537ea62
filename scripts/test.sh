#!/usr/bin/env bash
# npm test: type-check, build, make sure the control-plane binaries exist (the end-to-end tests
# start a real local cluster from them), then run every vitest project. Extra arguments go to
# vitest, e.g. `npm test -- --project unit`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
echo "== type-check" >&2
tsc -p test/tsconfig.json
echo "== build" >&2
tsc -p tsconfig.json
echo "== control-plane binaries" >&2
node dist/cli/main.js cluster build >/dev/null
echo "== tests" >&2
exec vitest run "$@"
