#!/usr/bin/env bash
# The test command, from nothing: installs npm packages if needed, finds or builds the Temporal CLI (the tests
# start their own dev server with it), installs Debian's Chromium for the browser test when missing, then
# typecheck, lint, the formatting check (prettier) and the whole mocha suite on the machine's Node (in two shards,
# below), and its in-process part again on Node 24.
set -euo pipefail
# shellcheck source=scripts/prepare.sh
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/prepare.sh"
bash scripts/ensure-chromium.sh
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
logs=()
trap 'rm -f "${logs[@]}"' EXIT
# The mocha suite runs as two shards side by side, each a mocha process with its own dev server: the suite mostly
# waits (timers, child processes, a browser), so one process leaves a core idle. Shard A: the slowest files
# (measured: the fault suite and the CLI, about 2 min each, and provisioning), then the in-process suites again on
# Node 24, the current LTS (scripts/test-node24.sh --fast; TEST_NODE24=0 skips it, TEST_NODE24=all runs the whole
# suite there). Shard B: every other file (a new test file lands there). Each shard's output is printed whole when
# it ends; TEST_SHARDS=1 runs them one after the other. Before both, SOLO runs alone: it asserts that Bird's rate is
# kept (not one 429), and a CPU shared with another shard delays activity tasks in the worker until they leave
# together, past the budget the server paced them to.
SOLO=(test/rate-limits.test.ts)
SHARD_A=(test/chaos.test.ts test/cli.test.ts test/provisioning.test.ts)
shard_b=('test/**/*.test.ts')
for file in "${SOLO[@]}" "${SHARD_A[@]}"; do shard_b+=(--ignore "$file"); done
node24() {
  case "${TEST_NODE24:-1}" in
    0) ;;
    all) echo "== mocha on Node 24" && bash scripts/test-node24.sh ;;
    *) echo "== mocha on Node 24 (in-process suites)" && bash scripts/test-node24.sh --fast ;;
  esac
}
shard_a() {
  echo "== mocha on Node $(node --version), shard A (${SHARD_A[*]})"
  npx mocha "${SHARD_A[@]}" || status_a=1
  node24 || status_a=1
  return "${status_a:-0}"
}
shard_b() {
  echo "== mocha on Node $(node --version), shard B (every other file)"
  npx mocha "${shard_b[@]}"
}
log_solo="$(mktemp)"
log_a="$(mktemp)"
log_b="$(mktemp)"
logs+=("$log_solo" "$log_a" "$log_b")
status=0
echo "== mocha on Node $(node --version), alone (${SOLO[*]})"
npx mocha "${SOLO[@]}" 2>&1 | tee "$log_solo" || status=1
if [[ "${TEST_SHARDS:-2}" == 1 ]]; then
  shard_a 2>&1 | tee "$log_a" || status=1
  shard_b 2>&1 | tee "$log_b" || status=1
else
  shard_a >"$log_a" 2>&1 &
  pid_a=$!
  shard_b >"$log_b" 2>&1 &
  pid_b=$!
  wait "$pid_a" || status=1
  cat "$log_a"
  wait "$pid_b" || status=1
  cat "$log_b"
fi
# A plain summary line in the form CI tooling reads in any language: "N passed, N failed" (over every run).
passed=0
failed=0
for log in "${logs[@]}"; do
  # A shard's log can hold two mocha runs (shard A and Node 24): every summary in it counts.
  p="$(grep -Eo '^ +[0-9]+ passing' "$log" | grep -Eo '[0-9]+' | paste -sd+ | bc || true)"
  f="$(grep -Eo '^ +[0-9]+ failing' "$log" | grep -Eo '[0-9]+' | paste -sd+ | bc || true)"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
echo "${passed} passed, ${failed} failed"
exit "$status"
