# Sourced by demo.sh and test.sh: from any directory, go to the project root, install npm packages when stale and
# export TEMPORAL_CLI (found or built by temporal.sh), so each entry point does its own setup.
ROOT="$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)"
cd "$ROOT"
bash scripts/setup.sh
TEMPORAL_CLI="$(bash scripts/temporal.sh ensure)"
export TEMPORAL_CLI
# The time-skipping test server (Temporal's Java test server from Maven Central) for test/time-skipping; a machine
# without Java or Maven still runs everything else, and those tests then name what is missing.
if TEMPORAL_TEST_SERVER="$(bash scripts/time-skipping-server.sh ensure)"; then
  export TEMPORAL_TEST_SERVER
else
  echo "prepare: no time-skipping test server (see above); test/time-skipping will fail" >&2
  unset TEMPORAL_TEST_SERVER
fi
