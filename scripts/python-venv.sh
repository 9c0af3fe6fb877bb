#!/usr/bin/env bash
# Creates (once) a Python virtual environment under .tools/python-venv with Temporal's Python SDK as pinned in
# examples/python/requirements.txt, and prints the path of its python. test/python-caller.test.ts calls this; it
# needs python3 (>= 3.9, with the venv module) and PyPI. Re-created when the requirements file changes.
set -euo pipefail
ROOT="$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)"
VENV="$ROOT/.tools/python-venv"
REQ="$ROOT/examples/python/requirements.txt"
PY="${PYTHON:-python3}"
stamp="$VENV/.requirements"
if [ ! -x "$VENV/bin/python" ] || ! cmp -s "$REQ" "$stamp"; then
  echo "[python-venv] creating $VENV" >&2
  rm -rf "$VENV"
  if ! "$PY" -m venv "$VENV" >&2; then
    # Debian splits venv's pip bootstrap into its own package.
    echo "[python-venv] installing Debian's python3-venv" >&2
    rm -rf "$VENV"
    { apt-get update -qq && apt-get install -y -qq python3-venv; } >&2
    "$PY" -m venv "$VENV" >&2
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ" >&2
  cp "$REQ" "$stamp"
fi
echo "$VENV/bin/python"
