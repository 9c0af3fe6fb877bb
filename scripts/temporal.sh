#!/usr/bin/env bash
# Local Temporal tooling for this project: find or build the `temporal` CLI, run a dev server with the
# project's search attributes, and wait for a frontend to answer. Run `scripts/temporal.sh --help`.
#
# Works from any directory: the project root is resolved from this script's location. Diagnostics go to
# stderr; only `ensure` writes to stdout (the CLI's absolute path), so `TEMPORAL="$(scripts/temporal.sh ensure)"`
# is safe. Every subcommand is idempotent.
set -euo pipefail

# Pinned CLI. v1.5.1 is the newest tag whose go.mod has no `replace` directive; `go install pkg@version` refuses
# modules with replace directives, so newer tags cannot be installed this way.
readonly TEMPORAL_CLI_MODULE='github.com/temporalio/cli/cmd/temporal'
readonly TEMPORAL_CLI_VERSION='v1.5.1'
# A CLI found on PATH is used only if it embeds at least this dev-server version (Server 1.MIN_SERVER_MINOR).
readonly MIN_SERVER_MINOR=20

# Follow a symlinked script (e.g. ~/bin/temporal.sh -> <root>/scripts/temporal.sh) back to the project.
SCRIPT_PATH="$(readlink -f -- "${BASH_SOURCE[0]}" 2>/dev/null || printf '%s' "${BASH_SOURCE[0]}")"
SCRIPT_DIR="$(cd -- "$(dirname -- "$SCRIPT_PATH")" && pwd -P)"
ROOT="$(cd -- "${SCRIPT_DIR}/.." && pwd -P)"
readonly SCRIPT_PATH SCRIPT_DIR ROOT
readonly TOOLS_BIN="${ROOT}/.tools/bin"
readonly DATA_DIR="${ROOT}/.data"
readonly PROG="scripts/temporal.sh"

log() { printf '[temporal.sh] %s\n' "$*" >&2; }
die() {
  printf '[temporal.sh] error: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<EOF
Usage: ${PROG} <command> [args]

Commands:
  ensure          Print (stdout) the absolute path of a usable \`temporal\` CLI. Looks, in order, at:
                    1. \$TEMPORAL_CLI, if set and executable
                    2. <root>/.tools/bin/temporal
                    3. \`temporal\` on PATH, if \`temporal --version\` reports Server 1.${MIN_SERVER_MINOR} or newer
                    4. otherwise builds it: GOBIN=<root>/.tools/bin go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}
                       (needs Go; takes about 3-4 minutes on 2 cores, once)
  dev [args...]   Run a local dev server in the foreground (Ctrl-C stops it), persisted in
                  <root>/.data/temporal.sqlite, with the project's search attributes registered
                  (from src/domain/search-attributes.ts). Extra args go to \`temporal server start-dev\`.
                    TEMPORAL_PORT     frontend gRPC port (default 7233), bound to 127.0.0.1
                    TEMPORAL_UI_PORT  Web UI port (default 8233)
  wait [address]  Wait until the Temporal frontend at address (default 127.0.0.1:7233) answers
                  \`temporal operator cluster health\`; exits non-zero after TEMPORAL_WAIT_TIMEOUT seconds (default 60).
  -h, --help      Show this help.

Examples:
  ${PROG} dev                        # terminal 1
  ${PROG} wait && npm run worker     # terminal 2
  TEMPORAL_PORT=7300 TEMPORAL_UI_PORT=8300 ${PROG} dev
EOF
}

# Absolute path of an existing file, without requiring realpath(1).
abspath() {
  local p="$1"
  printf '%s/%s\n' "$(cd -- "$(dirname -- "$p")" && pwd -P)" "$(basename -- "$p")"
}

# Succeeds if `$1 --version` embeds a dev server >= 1.MIN_SERVER_MINOR, e.g. "temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)"
# (0.x CLIs print "(server 1.22.4)").
has_recent_server() {
  local out major minor
  out="$("$1" --version 2>/dev/null)" || return 1
  [[ "$out" =~ [Ss]erver\ v?([0-9]+)\.([0-9]+) ]] || return 1
  major="${BASH_REMATCH[1]}"
  minor="${BASH_REMATCH[2]}"
  ((major > 1 || (major == 1 && minor >= MIN_SERVER_MINOR)))
}

build_cli() {
  local target="${TOOLS_BIN}/temporal" go_log
  if ! command -v go >/dev/null 2>&1; then
    die "no usable \`temporal\` CLI found and \`go\` is not installed, so it cannot be built.
  Install one of:
    - Go 1.22 or newer (https://go.dev/doc/install, or your package manager), then re-run: ${PROG} ensure
    - the Temporal CLI itself (https://docs.temporal.io/cli), then either put it on PATH or export TEMPORAL_CLI=/path/to/temporal"
  fi
  mkdir -p "$TOOLS_BIN"
  log "no usable \`temporal\` CLI found; building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} with $(go version 2>/dev/null || echo "go (version unknown)")"
  log "  GOBIN=${TOOLS_BIN} go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}"
  log "  this downloads the module and compiles the CLI with its embedded server and UI: about 3-4 minutes on 2 cores (only once)"
  go_log="$(mktemp "${TMPDIR:-/tmp}/temporal-cli-build.XXXXXX")"
  local start=$SECONDS
  if ! GOBIN="$TOOLS_BIN" go install "${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}" >"$go_log" 2>&1; then
    cat "$go_log" >&2
    rm -f "$go_log"
    die "building the Temporal CLI failed (go output above).
  Fix the error above and re-run \`${PROG} ensure\`, or install the CLI some other way and export TEMPORAL_CLI=/path/to/temporal.
  Fallback for tests without the CLI: the Java test server io.temporal:temporal-test-server from Maven Central
  (a lightweight in-memory server: no Web UI, no SQLite persistence, limited visibility queries)."
  fi
  rm -f "$go_log"
  [[ -x "$target" ]] || die "go install succeeded but ${target} is missing (is GOBIN honoured by this Go setup?)"
  log "built ${target} in $((SECONDS - start))s: $("$target" --version)"
}

# Prints the CLI path on stdout; all chatter on stderr.
ensure_cli() {
  if [[ -n "${TEMPORAL_CLI:-}" ]]; then
    if [[ -f "$TEMPORAL_CLI" && -x "$TEMPORAL_CLI" ]]; then
      log "using \$TEMPORAL_CLI=${TEMPORAL_CLI}"
      abspath "$TEMPORAL_CLI"
      return
    fi
    log "warning: \$TEMPORAL_CLI=${TEMPORAL_CLI} is not an executable file; ignoring it"
  fi
  if [[ -x "${TOOLS_BIN}/temporal" ]]; then
    log "using ${TOOLS_BIN}/temporal"
    printf '%s\n' "${TOOLS_BIN}/temporal"
    return
  fi
  local on_path
  if on_path="$(command -v temporal 2>/dev/null)" && [[ -n "$on_path" ]]; then
    if has_recent_server "$on_path"; then
      log "using ${on_path} from PATH ($("$on_path" --version 2>/dev/null))"
      abspath "$on_path"
      return
    fi
    log "ignoring ${on_path} on PATH: its --version does not report Server 1.${MIN_SERVER_MINOR} or newer"
  fi
  build_cli
  printf '%s\n' "${TOOLS_BIN}/temporal"
}

cmd_dev() {
  local cli port ui_port sa_out
  cli="$(ensure_cli)"
  port="${TEMPORAL_PORT:-7233}"
  ui_port="${TEMPORAL_UI_PORT:-8233}"
  [[ "$port" =~ ^[0-9]+$ && "$ui_port" =~ ^[0-9]+$ ]] || die "TEMPORAL_PORT and TEMPORAL_UI_PORT must be numbers (got '${port}', '${ui_port}')"

  [[ -x "${ROOT}/node_modules/.bin/tsx" ]] || die "${ROOT}/node_modules/.bin/tsx is missing: run \`npm ci\` in ${ROOT} first"
  log "reading search attributes: (cd ${ROOT} && npx tsx scripts/print-search-attributes.ts)"
  sa_out="$(cd -- "$ROOT" && npx --no-install tsx scripts/print-search-attributes.ts)" ||
    die "scripts/print-search-attributes.ts failed (output above)"
  local -a sa_args=()
  mapfile -t sa_args <<<"$sa_out"
  if ((${#sa_args[@]} == 0)) || [[ "${sa_args[0]}" != "--search-attribute" ]]; then
    die "scripts/print-search-attributes.ts printed no search attributes"
  fi

  if [[ ! -d "$DATA_DIR" ]]; then
    log "creating ${DATA_DIR}"
    mkdir -p "$DATA_DIR"
  fi

  local -a args=(
    server start-dev
    --db-filename "${DATA_DIR}/temporal.sqlite"
    --sqlite-pragma journal_mode=WAL
    --sqlite-pragma synchronous=OFF
    --ip 127.0.0.1
    --port "$port"
    --ui-port "$ui_port"
    --namespace default
    # Task-queue fairness: with BIRD_RATE_LIMIT_SCOPE=workspace each workspace gets its own share of Bird's limits.
    --dynamic-config-value matching.enableFairness=true
    "${sa_args[@]}"
    "$@"
  )
  log "frontend 127.0.0.1:${port}, Web UI http://127.0.0.1:${ui_port}, data ${DATA_DIR}/temporal.sqlite"
  log "exec ${cli} ${args[*]}"
  exec "$cli" "${args[@]}"
}

cmd_wait() {
  local address="${1:-127.0.0.1:7233}" timeout_s="${TEMPORAL_WAIT_TIMEOUT:-60}" cli out=''
  [[ "$timeout_s" =~ ^[0-9]+$ ]] || die "TEMPORAL_WAIT_TIMEOUT must be a whole number of seconds (got '${timeout_s}')"
  cli="$(ensure_cli)"
  # Bound each probe too, so an address that swallows packets cannot hang one attempt past the deadline.
  local -a probe=("$cli" operator cluster health --address "$address")
  if command -v timeout >/dev/null 2>&1; then probe=(timeout 5 "${probe[@]}"); fi

  log "waiting up to ${timeout_s}s for the Temporal frontend at ${address}: ${cli} operator cluster health --address ${address}"
  local start=$SECONDS attempts=0
  while :; do
    attempts=$((attempts + 1))
    if out="$("${probe[@]}" 2>&1)" && [[ "$out" == *SERVING* && "$out" != *NOT_SERVING* ]]; then
      log "Temporal frontend at ${address} is serving (after $((SECONDS - start))s, ${attempts} probe(s))"
      return 0
    fi
    if ((SECONDS - start >= timeout_s)); then
      log "last probe said: ${out:-<nothing>}"
      die "Temporal frontend at ${address} did not answer within ${timeout_s}s. Is the server running? Start one with \`${PROG} dev\` (or \`docker compose up\`), or pass the right address: ${PROG} wait host:port"
    fi
    sleep 1
  done
}

main() {
  local cmd="${1:-}"
  (($# > 0)) && shift
  case "$cmd" in
    ensure)
      (($# == 0)) || die "ensure takes no arguments (see --help)"
      ensure_cli
      ;;
    dev) cmd_dev "$@" ;;
    wait)
      (($# <= 1)) || die "wait takes at most one argument, the address (see --help)"
      cmd_wait "$@"
      ;;
    -h | --help | help) usage ;;
    '')
      usage >&2
      exit 2
      ;;
    *)
      log "unknown command: ${cmd}"
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
