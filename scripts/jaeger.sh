#!/usr/bin/env bash
# The trace store for local runs and the trace-store test (test/trace/): Jaeger v2, the all-in-one binary, built
# from the Go module proxy and cached under .tools/ (as scripts/temporal.sh builds the Temporal CLI).
#
#   scripts/jaeger.sh ensure   print (stdout) the binary's path, building it first if needed
#   scripts/jaeger.sh run      run it in the foreground with scripts/jaeger.yaml: OTLP/HTTP on 127.0.0.1:4318, the
#                              UI and query API on http://127.0.0.1:16686, traces in memory
#                              (JAEGER_HOST, JAEGER_OTLP_HTTP_PORT, JAEGER_QUERY_PORT, ... override)
#
# `go install module@version` refuses Jaeger (its go.mod has a replace directive), so the module is downloaded
# with `go mod download` and built inside its own directory, where the replace applies.
set -euo pipefail

readonly JAEGER_MODULE='github.com/jaegertracing/jaeger'
readonly JAEGER_VERSION='v1.75.0'

SCRIPT_DIR="$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd -P)"
ROOT="$(cd -- "${SCRIPT_DIR}/.." && pwd -P)"
readonly SCRIPT_DIR ROOT
readonly TARGET="${ROOT}/.tools/jaeger-${JAEGER_VERSION}/jaeger"

log() { printf '[jaeger.sh] %s\n' "$*" >&2; }
die() {
  printf '[jaeger.sh] error: %s\n' "$*" >&2
  exit 1
}

ensure() {
  if [[ -n "${JAEGER_BIN:-}" ]]; then
    [[ -x "$JAEGER_BIN" ]] || die "\$JAEGER_BIN=${JAEGER_BIN} is not an executable file"
    printf '%s\n' "$JAEGER_BIN"
    return
  fi
  if [[ -x "$TARGET" ]]; then
    printf '%s\n' "$TARGET"
    return
  fi
  command -v go >/dev/null 2>&1 || die "Jaeger is not built and \`go\` is not installed (Go 1.24 or newer builds it), or set JAEGER_BIN"
  log "building ${JAEGER_MODULE}/cmd/jaeger@${JAEGER_VERSION} (several minutes on 2 cores, once)"
  local dir start=$SECONDS
  dir="$(go mod download -json "${JAEGER_MODULE}@${JAEGER_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || die "go mod download ${JAEGER_MODULE}@${JAEGER_VERSION} gave no module directory"
  mkdir -p "$(dirname -- "$TARGET")"
  (cd -- "$dir" && go build -o "${TARGET}.partial" ./cmd/jaeger) || die "building Jaeger failed (go output above)"
  mv -- "${TARGET}.partial" "$TARGET"
  log "built ${TARGET} in $((SECONDS - start))s"
  printf '%s\n' "$TARGET"
}

case "${1:-}" in
  ensure) ensure ;;
  run)
    bin="$(ensure)"
    exec "$bin" --config "${ROOT}/scripts/jaeger.yaml"
    ;;
  *)
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
