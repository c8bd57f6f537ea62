#!/usr/bin/env bash
# npm test: type-check, build, make sure the control-plane binaries exist (the end-to-end tests
# start a real local cluster from them), then run every vitest project. Extra arguments go to
# vitest, e.g. `npm test -- --project unit`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/lint.sh
echo "== type-check" >&2
tsc -p test/tsconfig.json
echo "== build" >&2
scripts/build.sh
echo "== control-plane binaries" >&2
node dist/cli/main.js cluster build >/dev/null
echo "== helm (for test/e2e/helm-chart.test.ts; built from Go modules once, then cached)" >&2
scripts/build-helm.sh >/dev/null
echo "== tests" >&2
report=$(mktemp -t caravan-vitest-XXXXXX.json)
status=0
vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
# One plain closing line that any CI reader understands.
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report" || echo "tests: vitest wrote no report (exit $status)"
rm -f "$report"
exit "$status"
