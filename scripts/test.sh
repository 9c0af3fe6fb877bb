#!/usr/bin/env bash
# The test command, from nothing: installs npm packages if needed, finds or builds the Temporal CLI (the tests
# start their own dev server with it), then typecheck, lint and the whole mocha suite.
set -euo pipefail
# shellcheck source=scripts/prepare.sh
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/prepare.sh"
npm run --silent typecheck
npm run --silent lint
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
npm test 2>&1 | tee "$log" || status=$?
# A plain summary line in the form CI tooling reads in any language: "N passed, N failed".
passed="$(grep -Eo '^ +[0-9]+ passing' "$log" | grep -Eo '[0-9]+' | tail -1 || true)"
failed="$(grep -Eo '^ +[0-9]+ failing' "$log" | grep -Eo '[0-9]+' | tail -1 || true)"
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
