# Sourced by demo.sh and test.sh: from any directory, go to the project root, install npm packages when stale and
# export TEMPORAL_CLI (found or built by temporal.sh), so each entry point does its own setup.
ROOT="$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)"
cd "$ROOT"
bash scripts/setup.sh
TEMPORAL_CLI="$(bash scripts/temporal.sh ensure)"
export TEMPORAL_CLI
