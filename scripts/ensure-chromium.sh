#!/usr/bin/env bash
# The browser test (test/ui.test.ts) needs a Chromium. It uses Debian's package, never a browser download:
# installed here when missing (CI runs as root; elsewhere through sudo). CHROMIUM_PATH overrides the lookup.
set -euo pipefail
if [[ -n "${CHROMIUM_PATH:-}" && -x "${CHROMIUM_PATH}" ]] || command -v chromium >/dev/null 2>&1; then
  exit 0
fi
sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-chromium: not root and no sudo; install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH" >&2; exit 1; }
  sudo=(sudo)
fi
echo "ensure-chromium: installing Debian's chromium (apt-get update; apt-get install -y chromium)" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null 2>&1 || { echo "ensure-chromium: chromium is still missing after apt-get install" >&2; exit 1; }
