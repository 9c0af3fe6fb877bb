#!/usr/bin/env bash
# The test command, from nothing: installs npm packages if needed, finds or builds the Temporal CLI (the tests
# start their own dev server with it), then typecheck, lint and the whole mocha suite.
set -euo pipefail
ROOT="$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)"
cd "$ROOT"
bash scripts/setup.sh
TEMPORAL_CLI="$(bash scripts/temporal.sh ensure)"
export TEMPORAL_CLI
npm run --silent typecheck
npm run --silent lint
npm test
