#!/usr/bin/env bash
# Build (once) SeaweedFS's `weed`, the Apache-2.0 S3-compatible object store the S3 bulk-store tests run against,
# and print its absolute path on stdout. Cached at <root>/.tools/bin/weed; $WEED_BIN, if executable, wins.
#
# SeaweedFS publishes no semver tags, so the Go module proxy serves it by pseudo-version (pinned below). Its go.mod
# has a `replace` directive, which `go install mod@version` refuses: the script downloads the module into the
# module cache and runs `go build` from that directory instead (the module zip carries a complete go.sum).
set -euo pipefail

readonly WEED_MODULE='github.com/seaweedfs/seaweedfs'
readonly WEED_VERSION='v0.0.0-20261109003541-7506e5f91cd6'

SCRIPT_PATH="$(readlink -f -- "${BASH_SOURCE[0]}" 2>/dev/null || printf '%s' "${BASH_SOURCE[0]}")"
ROOT="$(cd -- "$(dirname -- "$SCRIPT_PATH")/.." && pwd -P)"
readonly ROOT
readonly TOOLS_BIN="${ROOT}/.tools/bin"
readonly TARGET="${TOOLS_BIN}/weed"

log() { printf '[seaweedfs.sh] %s\n' "$*" >&2; }
die() {
  printf '[seaweedfs.sh] error: %s\n' "$*" >&2
  exit 1
}

if [[ -n "${WEED_BIN:-}" ]]; then
  [[ -x "$WEED_BIN" ]] || die "\$WEED_BIN=${WEED_BIN} is not an executable file"
  printf '%s\n' "$WEED_BIN"
  exit 0
fi
if [[ -x "$TARGET" ]]; then
  printf '%s\n' "$TARGET"
  exit 0
fi
command -v go >/dev/null 2>&1 || die "\`go\` is not installed, so \`weed\` cannot be built (install Go >= 1.26, or set WEED_BIN)"

mkdir -p "$TOOLS_BIN"
log "building ${WEED_MODULE}@${WEED_VERSION} with $(go version); this takes many minutes, once"
dir="$(cd "$ROOT" && GOFLAGS=-mod=mod go mod download -json "${WEED_MODULE}@${WEED_VERSION}" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
[[ -n "$dir" && -d "$dir/weed" ]] || die "go mod download did not yield the module directory (got '${dir}')"
start=$SECONDS
# -mod=readonly: the module's own go.sum is authoritative; nothing is written into the read-only module cache.
(cd "$dir" && GOFLAGS=-mod=readonly go build -trimpath -ldflags='-s -w' -o "${TARGET}.tmp" ./weed) ||
  die "go build of ${WEED_MODULE}@${WEED_VERSION} failed (go output above)"
mv "${TARGET}.tmp" "$TARGET"
log "built ${TARGET} in $((SECONDS - start))s"
printf '%s\n' "$TARGET"
