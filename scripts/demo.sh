#!/usr/bin/env bash
# The demo, from nothing: installs npm packages if needed, finds or builds the Temporal CLI, starts a dev server
# (UI on :8233) unless one already answers on 127.0.0.1:7233, then runs src/demo.ts (simulator, receiver, worker,
# two provisionings). Ctrl-C stops everything.
set -euo pipefail
# shellcheck source=scripts/prepare.sh
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/prepare.sh"
address="127.0.0.1:${TEMPORAL_PORT:-7233}"
if "$TEMPORAL_CLI" operator cluster health --address "$address" >/dev/null 2>&1; then
  echo "[demo] using the Temporal server already running at $address" >&2
else
  mkdir -p .data
  echo "[demo] starting a Temporal dev server at $address (log: .data/temporal-dev.log)" >&2
  bash scripts/temporal.sh dev >.data/temporal-dev.log 2>&1 &
  server_pid=$!
  trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
  bash scripts/temporal.sh wait "$address"
fi
export TEMPORAL_ADDRESS="$address"
node --import tsx src/demo.ts
