#!/usr/bin/env bash
# The time-skipping test server for the tests that use TestWorkflowEnvironment.createTimeSkipping: Temporal's Java
# test server (io.temporal:temporal-test-server), fetched from Maven Central once into .tools/ and started through a
# launcher, because the SDK's default is a native build downloaded from a CDN that not every machine reaches.
#
#   scripts/time-skipping-server.sh ensure   fetch it if needed (Maven, under a minute, once), then print the
#                                            launcher's absolute path on stdout (all chatter on stderr)
#
# The SDK starts the launcher as `<launcher> <port> [extra args]` (sdk-core's ephemeral server does so for the test
# server) and stops it with SIGKILL: the launcher execs java, so the kill reaches the server itself.
set -euo pipefail

readonly VERSION='1.38.0'
ROOT="$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)"
readonly ROOT
readonly DIR="${ROOT}/.tools/temporal-test-server-${VERSION}"
readonly LAUNCHER="${DIR}/temporal-test-server"

log() { printf '[time-skipping-server.sh] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# Debian's Java and Maven when either is missing (as scripts/ensure-chromium.sh installs Chromium): as root, or
# through sudo.
ensure_java_and_maven() {
  command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1 && return 0
  local sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "java or mvn is missing, and without root or sudo they cannot be installed: apt-get install default-jre-headless maven"
    sudo=(sudo)
  fi
  log "installing Debian's Java and Maven (apt-get install -y default-jre-headless maven)"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends default-jre-headless maven >/dev/null
  command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1 || die "java or mvn is still missing after apt-get install"
}

fetch() {
  ensure_java_and_maven
  local work
  work="$(mktemp -d "${TMPDIR:-/tmp}/temporal-test-server.XXXXXX")"
  cat >"${work}/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId>
  <artifactId>temporal-test-server-fetch</artifactId>
  <version>0</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${VERSION}</version>
    </dependency>
  </dependencies>
</project>
EOF
  log "fetching io.temporal:temporal-test-server:${VERSION} and its dependencies with Maven"
  if ! mvn -q -B -f "${work}/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="${work}/lib" >"${work}/mvn.log" 2>&1; then
    cat "${work}/mvn.log" >&2
    rm -rf "$work"
    die "Maven could not fetch io.temporal:temporal-test-server:${VERSION} (output above)"
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  mv "${work}/lib" "${DIR}/lib"
  rm -rf "$work"
  # An explicit, sorted classpath: a class-data archive is valid only with the classpath it was made with.
  (cd "$DIR" && find lib -name '*.jar' | LC_ALL=C sort | paste -sd: -) >"${DIR}/classpath"
  archive_classes
  write_launcher "${LAUNCHER}.tmp"
  # Renamed last, so a launcher exists only beside a complete classpath.
  mv "${LAUNCHER}.tmp" "$LAUNCHER"
  log "ready: ${LAUNCHER}"
}

# The SDK gives the server 5 s to answer once started, and a JVM on a busy machine can take longer: the launcher
# starts from a class-data archive of the server's classes when there is one (AppCDS, about half the start time).
write_launcher() {
  cat >"$1" <<'EOF'
#!/usr/bin/env bash
# Usage: temporal-test-server <port> [extra args]: how the SDK starts the time-skipping server.
here="$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd -P)"
cds=()
[[ -f "${here}/classes.jsa" ]] && cds=("-XX:SharedArchiveFile=${here}/classes.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
cd "$here" || exit 1
exec java "${cds[@]}" -Xms32m -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$(cat classpath)" \
  io.temporal.testserver.TestServer "$@"
EOF
  chmod +x "$1"
}

# Runs the server once with -XX:ArchiveClassesAtExit until it has answered a connection, then stops it: the JVM
# writes the archive as it exits. Optional: without one, the launcher starts the server all the same.
archive_classes() {
  local port pid
  port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  (
    cd "$DIR"
    exec java -XX:ArchiveClassesAtExit=classes.jsa -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$(cat classpath)" \
      io.temporal.testserver.TestServer "$port" >/dev/null 2>&1
  ) &
  pid=$!
  for _ in $(seq 1 300); do
    if (echo >"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then break; fi
    sleep 0.1
  done
  sleep 1
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ -f "${DIR}/classes.jsa" ]]; then log "class-data archive written"; else log "no class-data archive: the server starts without one"; fi
}

case "${1:-}" in
  ensure)
    [[ -x "$LAUNCHER" ]] || fetch
    printf '%s\n' "$LAUNCHER"
    ;;
  *)
    log "usage: scripts/time-skipping-server.sh ensure"
    exit 2
    ;;
esac
