#!/usr/bin/env bash
# Installs the npm packages exactly as locked, when node_modules is missing or older than package-lock.json.
set -euo pipefail
ROOT="$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)"
cd "$ROOT"
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "[setup] npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi
