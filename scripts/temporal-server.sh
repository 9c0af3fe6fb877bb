#!/usr/bin/env bash
# Temporal Server (the production server, not the CLI's dev server) and PostgreSQL for the stack test
# (test/stack/, `npm run test:stack`): build `temporal-server` and `temporal-sql-tool` from the Go module proxy,
# and install PostgreSQL from the distribution's packages. Also the newer server the upgrade test runs on SQLite
# (test/upgrade/, `npm run test:upgrade`, docs/upgrades.md). Run `scripts/temporal-server.sh --help`.
#
# Works from any directory. Diagnostics go to stderr; `ensure` and `ensure-postgres` print only a directory on
# stdout, so `BIN="$(scripts/temporal-server.sh ensure)"` is safe. Every subcommand is idempotent.
set -euo pipefail

# The server docker-compose.yml runs (temporalio/auto-setup:1.29.1), and the one embedded in the dev server
# scripts/temporal.sh builds. The module is downloaded and built inside a writable copy of its directory (not `go
# install mod@version`, which refuses any module with `replace` directives), so the same steps serve every version;
# the copy also provides the SQL schemas and the Docker image's config template.
readonly SERVER_MODULE='go.temporal.io/server'
readonly SERVER_VERSION='v1.29.1'
# The server the upgrade test needs: Server 1.30 is the first to tell a pinned run that its deployment's current
# version changed (TargetWorkerDeploymentVersionChanged, on by default: system.enableSendTargetVersionChanged).
# v1.30.9 is the newest that builds from the module proxy: 1.31.x needs go.temporal.io/auto-scaled-workers, which the
# proxy refuses (403). Its go.mod says `go 1.26.10`, newer than this machine's Go 1.26.8, so it is built with the
# toolchain UPGRADE_GOTOOLCHAIN names, which the go command fetches from the module proxy.
readonly UPGRADE_SERVER_VERSION='v1.30.9'
readonly UPGRADE_GOTOOLCHAIN="${UPGRADE_GOTOOLCHAIN:-go1.27.3}"

SCRIPT_PATH="$(readlink -f -- "${BASH_SOURCE[0]}" 2>/dev/null || printf '%s' "${BASH_SOURCE[0]}")"
SCRIPT_DIR="$(cd -- "$(dirname -- "$SCRIPT_PATH")" && pwd -P)"
ROOT="$(cd -- "${SCRIPT_DIR}/.." && pwd -P)"
readonly SCRIPT_PATH SCRIPT_DIR ROOT
readonly TOOLS_DIR="${ROOT}/.tools"
readonly PROG="scripts/temporal-server.sh"

log() { printf '[temporal-server.sh] %s\n' "$*" >&2; }
die() {
  printf '[temporal-server.sh] error: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<USAGE
Usage: ${PROG} <command>

Commands:
  ensure           Print (stdout) the directory holding \`temporal-server\`, \`temporal-sql-tool\` and \`schema/\`
                   (the SQL schemas of ${SERVER_MODULE}@${SERVER_VERSION}), building them on first use:
                     go mod download ${SERVER_MODULE}@${SERVER_VERSION}, copy the module to
                     <root>/.tools/src/, go build ./cmd/server ./cmd/tools/sql there
                   (needs Go; about 10 minutes on 2 idle cores, 42 on a loaded one; once). Cached in <root>/.tools/bin/.
  ensure-upgrade   Print (stdout) the directory holding \`temporal-server\` ${UPGRADE_SERVER_VERSION} and the module's
                   \`config/development-sqlite.yaml\`, building it on first use as above, with GOTOOLCHAIN=${UPGRADE_GOTOOLCHAIN}
                   (set UPGRADE_GOTOOLCHAIN to change it). For the upgrade test (SQLite, no SQL tool needed).
  ensure-postgres  Print (stdout) the directory of PostgreSQL's server binaries (initdb, postgres),
                   installing the distribution's \`postgresql\` package with apt-get if none is found
                   (needs root, or PG_BIN_DIR set to an existing installation).
  -h, --help       Show this help.
USAGE
}

# Downloads module@version and copies it to a writable directory (the module cache is read-only), so that `go build`
# runs with it as the main module and its replace directives, if any, apply.
module_copy() {
  local module="$1" version="$2" dest="$3" mod_dir
  log "downloading ${module}@${version} from $(go env GOPROXY)"
  mod_dir="$(go mod download -json "${module}@${version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$mod_dir" && -d "$mod_dir" ]] || die "go mod download ${module}@${version} gave no module directory (go: $(go version))"
  rm -rf "$dest"
  mkdir -p "$(dirname -- "$dest")"
  cp -R "$mod_dir" "$dest"
  chmod -R u+w "$dest"
}

# build_server <version> <programs...>: temporal-server (./cmd/server) and/or temporal-sql-tool (./cmd/tools/sql).
build_server() {
  local version="$1" start=$SECONDS program pkg
  shift
  command -v go >/dev/null 2>&1 || die "\`go\` is not installed, so ${SERVER_MODULE} cannot be built.
  Install Go 1.24 or newer (https://go.dev/doc/install), then re-run: ${PROG} ensure"
  local src="${TOOLS_DIR}/src/temporal-server-${version}" bin="${TOOLS_DIR}/bin/temporal-server-${version}"
  module_copy "$SERVER_MODULE" "$version" "$src"
  rm -rf "${bin}.partial"
  mkdir -p "${bin}.partial"
  for program in "$@"; do
    case "$program" in
      temporal-server) pkg=./cmd/server ;;
      temporal-sql-tool) pkg=./cmd/tools/sql ;;
      *) die "unknown program ${program}" ;;
    esac
    log "building ${program} (${SERVER_MODULE}@${version} ${pkg}) in ${src}: slow (about 10 minutes on 2 idle cores, far more on busy ones), once"
    (cd -- "$src" && go build -o "${bin}.partial/${program}" "$pkg") || die "building ${SERVER_MODULE}@${version} ${pkg} failed (go output above)"
  done
  cp -R "${src}/schema" "${bin}.partial/schema"
  cp "${src}/docker/config_template.yaml" "${bin}.partial/config_template.yaml"
  [[ ! -e "${src}/config/development-sqlite.yaml" ]] || cp "${src}/config/development-sqlite.yaml" "${bin}.partial/development-sqlite.yaml"
  rm -rf "$bin"
  mv "${bin}.partial" "$bin"
  log "built ${bin} in $((SECONDS - start))s"
}

# ensure_server <version> <programs...>: prints the directory, building what is missing.
ensure_server() {
  local version="$1" bin="${TOOLS_DIR}/bin/temporal-server-$1" program missing=0
  shift
  local expected=("$@" config_template.yaml schema)
  # The upgrade test's server is configured from the module's own SQLite config.
  [[ "$version" != "$UPGRADE_SERVER_VERSION" ]] || expected+=(development-sqlite.yaml)
  for program in "${expected[@]}"; do [[ -e "${bin}/${program}" ]] || missing=1; done
  if ((missing)); then
    build_server "$version" "$@"
  else
    log "using ${bin}"
  fi
  printf '%s\n' "$bin"
}

# Debian and Ubuntu put each major version's server binaries in /usr/lib/postgresql/<major>/bin, off PATH.
find_postgres() {
  if [[ -n "${PG_BIN_DIR:-}" ]]; then
    [[ -x "${PG_BIN_DIR}/initdb" && -x "${PG_BIN_DIR}/postgres" ]] || die "PG_BIN_DIR=${PG_BIN_DIR} has no initdb/postgres"
    printf '%s\n' "$PG_BIN_DIR"
    return 0
  fi
  local dir
  while IFS= read -r dir; do
    if [[ -x "${dir}/initdb" && -x "${dir}/postgres" ]]; then
      printf '%s\n' "$dir"
      return 0
    fi
  done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -V -r)
  if command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1; then
    dirname -- "$(readlink -f -- "$(command -v postgres)")"
    return 0
  fi
  return 1
}

ensure_postgres() {
  local dir
  if dir="$(find_postgres)"; then
    log "using PostgreSQL in ${dir}"
    printf '%s\n' "$dir"
    return
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "PostgreSQL is not installed and there is no apt-get: install PostgreSQL 12 or newer and set PG_BIN_DIR to its bin directory"
  ((EUID == 0)) || die "PostgreSQL is not installed: run \`sudo apt-get install -y postgresql\` (or set PG_BIN_DIR)"
  log "installing PostgreSQL: apt-get update && apt-get install -y postgresql"
  DEBIAN_FRONTEND=noninteractive apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >&2
  dir="$(find_postgres)" || die "apt-get installed postgresql but no initdb/postgres binaries were found"
  printf '%s\n' "$dir"
}

main() {
  local cmd="${1:-}"
  (($# > 0)) && shift
  (($# == 0)) || die "${cmd} takes no arguments (see --help)"
  case "$cmd" in
    ensure) ensure_server "$SERVER_VERSION" temporal-server temporal-sql-tool ;;
    ensure-upgrade) GOTOOLCHAIN="$UPGRADE_GOTOOLCHAIN" ensure_server "$UPGRADE_SERVER_VERSION" temporal-server ;;
    ensure-postgres) ensure_postgres ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
