#!/usr/bin/env bash
# npm start: build, then run Caravan (with KUBECONFIG unset it starts the local control plane,
# building its binaries from Go modules the first time).
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/caravan.sh" start "$@"
