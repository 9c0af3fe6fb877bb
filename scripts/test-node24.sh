#!/usr/bin/env bash
# The mocha suite on Node 24, the current LTS the image and .nvmrc target, while the machine's Node (20) stays the
# default for everything else. Node 24 comes from the npm registry's `node` package (`npx -y node@24`, cached by
# npx after the first run). Arguments are mocha arguments; none means the whole suite; --fast the suite without the
# files that mostly drive child processes, a browser, timing-heavy scenarios, the Java time-skipping server or a
# static analysis of the sources (scripts/test.sh runs that in CI:
# what runs in-process is what differs between Node versions, and the slow files would double CI's time).
#   bash scripts/test-node24.sh                        # everything
#   bash scripts/test-node24.sh --fast                 # what CI runs on Node 24
#   bash scripts/test-node24.sh test/codec.test.ts     # one file
set -euo pipefail
# shellcheck source=scripts/prepare.sh
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/prepare.sh"
node24=(npx --yes node@24)
version="$("${node24[@]}" --version)"
[[ "$version" == v24.* ]] || { echo "test-node24: expected Node 24, got ${version}" >&2; exit 1; }
echo "test-node24: mocha on Node ${version}" >&2
if (($# == 0)); then set -- 'test/**/*.test.ts'; fi
if [[ "$1" == --fast ]]; then
  shift
  set -- 'test/**/*.test.ts' "$@"
  for slow in cli cli-bulk ui ui-codec crash-recovery demo versioning startup production-worker receiver-process rate-limits chaos \
    polling python-caller client-entry kubernetes http-api failure-stacks \
    webhooks bulk-early-reports import-graph time-skipping/provisioning-durations; do
    set -- "$@" --ignore "test/${slow}.test.ts"
  done
fi
exec "${node24[@]}" node_modules/mocha/bin/mocha.js "$@"
