#!/usr/bin/env bash
# npm run lint (and the first step of npm test): formatting and lint rules (Biome, biome.json), then
# the layer rules of ../shared/style.md (dependency-cruiser, .dependency-cruiser.cjs). Either failing
# fails the run. `npx biome check --write .` fixes formatting and the safe lint findings.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
echo "== format and lint (biome)" >&2
biome ci --colors=off . || { echo "format or lint findings above; 'npx biome check --write .' fixes formatting" >&2; exit 1; }
echo "== layers (dependency-cruiser)" >&2
status=0
out=$(depcruise src --config .dependency-cruiser.cjs 2>&1) || status=$?
# TypeScript 7 has no compiler API for dependency-cruiser, so it parses with swc and warns about it
# on every run: keep the verdict, drop that notice.
grep -e 'error' -e 'violations' -e 'cruised' <<<"$out" || true
exit "$status"
