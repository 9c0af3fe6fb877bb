#!/usr/bin/env bash
# The test command, from nothing: installs npm packages if needed, finds or builds the Temporal CLI (the tests
# start their own dev server with it), installs Debian's Chromium for the browser test when missing, then
# typecheck, lint, the formatting check (prettier) and the whole mocha suite on the machine's Node, then its in-process part again on Node 24, the
# current LTS (scripts/test-node24.sh --fast; TEST_NODE24=0 skips it, TEST_NODE24=all runs the whole suite there).
set -euo pipefail
# shellcheck source=scripts/prepare.sh
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/prepare.sh"
bash scripts/ensure-chromium.sh
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
logs=()
trap 'rm -f "${logs[@]}"' EXIT
status=0
run_suite() {
  local label="$1" log
  shift
  log="$(mktemp)"
  logs+=("$log")
  echo "== mocha on ${label}"
  "$@" 2>&1 | tee "$log" || status=1
}
run_suite "Node $(node --version)" npm test
case "${TEST_NODE24:-1}" in
  0) ;;
  all) run_suite "Node 24" bash scripts/test-node24.sh ;;
  *) run_suite "Node 24 (in-process suites)" bash scripts/test-node24.sh --fast ;;
esac
# A plain summary line in the form CI tooling reads in any language: "N passed, N failed" (over every run).
passed=0
failed=0
for log in "${logs[@]}"; do
  p="$(grep -Eo '^ +[0-9]+ passing' "$log" | grep -Eo '[0-9]+' | tail -1 || true)"
  f="$(grep -Eo '^ +[0-9]+ failing' "$log" | grep -Eo '[0-9]+' | tail -1 || true)"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
echo "${passed} passed, ${failed} failed"
exit "$status"
