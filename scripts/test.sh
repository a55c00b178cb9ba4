#!/usr/bin/env bash
# Runs every test in Api.sln against throwaway PostgreSQL and Redis servers.
#
#   scripts/test.sh                   build and run all the tests (this is what CI runs, via .ci/run)
#   scripts/test.sh --filter 'X'      anything after the script name is passed on to `dotnet test`
#   scripts/test.sh --servers-only    only start the servers, print the two `export` lines for
#                                     CHAT_TEST_POSTGRES / CHAT_TEST_REDIS and wait until Ctrl-C,
#                                     so you can run `dotnet test` (or an IDE) by hand against them
#
# What it does: installs PostgreSQL, Redis, nginx (for the fault suite) and Chromium (for the browser
# tests) with apt-get if they are missing (as root, or via sudo), starts its own PostgreSQL (initdb, trust
# auth, 127.0.0.1 only) and Redis (no persistence) on free ports in a fresh `mktemp -d` folder under /tmp, runs `dotnet test`, prints one summary
# line `tests: N passed, M failed, K skipped`, and always stops both servers and deletes the folder
# on exit (success, failure, Ctrl-C or kill; only `kill -9` of this script can leave them behind).
# It never touches the system postgresql/redis services or their ports.
# Environment: TEST_RESULTS_DIR=dir copies the .trx files there before the temp folder is deleted.
# shellcheck disable=SC2317  # (the cleanup functions are only reached through traps)
set -euo pipefail

cd "$(dirname "$0")/.."

MODE="test"
if [[ "${1:-}" == "--servers-only" ]]; then
  MODE=servers
  shift
fi

log() { echo "[test.sh] $*" >&2; }
die() { echo "[test.sh] ERROR: $*" >&2; exit 1; }

IS_ROOT=0
[[ $(id -u) -eq 0 ]] && IS_ROOT=1

# ---------------------------------------------------------------------------------------------
# 1. Install what is missing
# ---------------------------------------------------------------------------------------------
as_root() {
  if [[ $IS_ROOT -eq 1 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run: $* (install the package yourself, or run this script as root)"
  fi
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these packages yourself: $*"
  log "installing $* with apt-get (waits up to 10 min for another apt/dpkg run to finish)"
  local i
  if [[ $APT_UPDATED -eq 0 ]]; then
    # DPkg::Lock::Timeout makes apt wait for a lock held by another apt run instead of failing.
    for i in 1 2 3 4 5; do
      if as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q; then
        APT_UPDATED=1
        break
      fi
      log "apt-get update failed (attempt $i), retrying in 10 s"
      sleep 10
    done
    [[ $APT_UPDATED -eq 1 ]] || die "apt-get update kept failing"
  fi
  for i in 1 2 3; do
    if as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
         install -y -q --no-install-recommends "$@"; then
      return 0
    fi
    log "apt-get install failed (attempt $i), retrying in 10 s"
    sleep 10
  done
  die "could not install: $*"
}

find_pg_bin() {
  local p d
  if p=$(command -v initdb 2>/dev/null); then
    d=$(dirname "$(readlink -f "$p")")
    if [[ -x "$d/pg_ctl" ]]; then echo "$d"; return 0; fi
  fi
  # Debian keeps the server binaries out of PATH; take the newest installed major version.
  for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then echo "$d"; return 0; fi
  done
  return 1
}

PG_BIN=$(find_pg_bin || true)
if [[ -z "$PG_BIN" ]]; then
  apt_install postgresql
  PG_BIN=$(find_pg_bin || true)
  [[ -n "$PG_BIN" ]] || die "postgresql was installed but no initdb/pg_ctl was found"
fi
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  apt_install redis-server
fi
# nginx is the load balancer of the fault suite (tests/Api.FaultTests), which runs its own master process.
if ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
  apt_install nginx
fi
# The browser tests (tests/Api.BrowserTests) drive Debian's Chromium headless; CHAT_TEST_CHROMIUM names another.
if [[ -z "${CHAT_TEST_CHROMIUM:-}" ]] && [[ ! -x /usr/bin/chromium ]]; then
  apt_install chromium
fi
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH; see global.json for the version"

pg() { # run a PostgreSQL binary; initdb/postgres refuse to run as root, so use the postgres user
  local bin=$1; shift
  if [[ $IS_ROOT -eq 1 ]]; then
    (cd "$TMP_DIR" && runuser -u postgres -- "$PG_BIN/$bin" "$@")
  else
    "$PG_BIN/$bin" "$@"
  fi
}
if [[ $IS_ROOT -eq 1 ]] && ! id postgres >/dev/null 2>&1; then
  die "running as root but there is no 'postgres' user to run the database as (apt-get install postgresql creates it)"
fi

# ---------------------------------------------------------------------------------------------
# 2. Temp folder and cleanup
# ---------------------------------------------------------------------------------------------
TMP_DIR=$(mktemp -d /tmp/chat-test.XXXXXXXX)
PG_DATA="$TMP_DIR/pg/data"
PG_STARTED=0
REDIS_STARTED=0
PG_PORT=""
REDIS_PORT=""
WAIT_PID=""

stop_pg() {
  [[ $PG_STARTED -eq 1 ]] || return 0
  PG_STARTED=0
  pg pg_ctl -D "$PG_DATA" stop -m fast -w -t 30 >/dev/null 2>&1 \
    || pg pg_ctl -D "$PG_DATA" stop -m immediate -w -t 10 >/dev/null 2>&1 \
    || log "could not stop PostgreSQL (data dir $PG_DATA)"
}

stop_redis() {
  [[ $REDIS_STARTED -eq 1 ]] || return 0
  REDIS_STARTED=0
  local pid="" i
  # Redis writes the pidfile only after it has bound its port, so no pidfile means it never came
  # up, and the port may belong to someone else: then there is nothing of ours to shut down.
  [[ -f "$TMP_DIR/redis.pid" ]] && pid=$(cat "$TMP_DIR/redis.pid" 2>/dev/null || true)
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  rcli shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM HUP
  [[ -n "$WAIT_PID" ]] && kill "$WAIT_PID" 2>/dev/null
  stop_pg
  stop_redis
  rm -rf "$TMP_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

rcli() { # redis-cli with a time limit, so a foreign listener on the port cannot hang us
  timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

show_log() { # show the end of a server log when something went wrong
  [[ -f "$1" ]] || return 0
  echo "----- last lines of $1 -----" >&2
  tail -n 30 "$1" >&2 || true
  echo "-----" >&2
}

# ---------------------------------------------------------------------------------------------
# 3. Start the servers on free ports
# ---------------------------------------------------------------------------------------------
port_is_free() {
  local p=$1
  if command -v ss >/dev/null 2>&1 && [[ -n "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]]; then
    return 1
  fi
  # Anything accepting a connection there means the port is taken.
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then return 1; fi
  return 0
}

pick_port() { # a random free port below the Linux ephemeral range (32768+), so no client socket holds it
  local p i
  for i in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    [[ "$p" == "$PG_PORT" || "$p" == "$REDIS_PORT" ]] && continue
    if port_is_free "$p"; then echo "$p"; return 0; fi
  done
  die "could not find a free TCP port"
}

chmod 755 "$TMP_DIR" # the postgres user must be able to reach its folders inside
mkdir -p "$TMP_DIR/pg/socket" "$TMP_DIR/results"
[[ $IS_ROOT -eq 1 ]] && chown -R postgres:postgres "$TMP_DIR/pg"

LOCALE=C
locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && LOCALE=C.UTF-8

log "PostgreSQL: initdb with $PG_BIN (in $TMP_DIR)"
if ! pg initdb -D "$PG_DATA" -A trust --username=postgres --encoding=UTF8 --locale="$LOCALE" \
       >"$TMP_DIR/initdb.log" 2>&1; then
  show_log "$TMP_DIR/initdb.log"
  die "initdb failed"
fi
# fsync stays at its default (on): these servers are throwaway, but we do not fake durability.
cat >>"$PG_DATA/postgresql.conf" <<EOF

# --- added by scripts/test.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$TMP_DIR/pg/socket'
max_connections = 300
shared_buffers = 128MB
EOF

for attempt in 1 2 3 4 5; do
  PG_PORT=$(pick_port)
  log "PostgreSQL: starting on 127.0.0.1:$PG_PORT"
  PG_STARTED=1 # from here on, cleanup tries to stop it
  if pg pg_ctl -D "$PG_DATA" -l "$TMP_DIR/pg/postgres.log" -o "-p $PG_PORT" -w -t 30 start \
       >/dev/null 2>&1; then
    break
  fi
  pg pg_ctl -D "$PG_DATA" stop -m immediate >/dev/null 2>&1 || true
  PG_STARTED=0
  show_log "$TMP_DIR/pg/postgres.log"
  [[ $attempt -lt 5 ]] || die "PostgreSQL did not start (see the log above)"
  log "PostgreSQL did not start on port $PG_PORT, trying another port"
  PG_PORT=""
done
ok=0
for _ in $(seq 1 60); do # up to 30 s
  if pg pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres; then ok=1; break; fi
  sleep 0.5
done
if [[ $ok -ne 1 ]]; then
  show_log "$TMP_DIR/pg/postgres.log"
  die "PostgreSQL on 127.0.0.1:$PG_PORT did not answer pg_isready within 30 s"
fi

for attempt in 1 2 3 4 5; do
  REDIS_PORT=$(pick_port)
  log "Redis: starting on 127.0.0.1:$REDIS_PORT"
  rm -f "$TMP_DIR/redis.pid" "$TMP_DIR/redis.log"
  REDIS_STARTED=1
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$TMP_DIR" --pidfile "$TMP_DIR/redis.pid" --logfile "$TMP_DIR/redis.log" >/dev/null \
    || { show_log "$TMP_DIR/redis.log"; die "redis-server failed to start"; }
  ok=0
  for _ in $(seq 1 60); do # up to 30 s
    # With --daemonize the exit code cannot tell us about a failed bind; the log can.
    if grep -qi 'address already in use' "$TMP_DIR/redis.log" 2>/dev/null; then break; fi
    if [[ "$(rcli ping 2>/dev/null)" == "PONG" ]]; then ok=1; break; fi
    sleep 0.5
  done
  [[ $ok -eq 1 ]] && break
  show_log "$TMP_DIR/redis.log"
  if ! grep -qi 'address already in use' "$TMP_DIR/redis.log" 2>/dev/null || [[ $attempt -ge 5 ]]; then
    die "Redis on 127.0.0.1:$REDIS_PORT did not answer PING within 30 s"
  fi
  stop_redis
  log "Redis could not bind port $REDIS_PORT, trying another port"
  REDIS_PORT=""
done

export CHAT_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=100"
export CHAT_TEST_REDIS="127.0.0.1:$REDIS_PORT"
log "servers are up: PostgreSQL 127.0.0.1:$PG_PORT, Redis 127.0.0.1:$REDIS_PORT"

# ---------------------------------------------------------------------------------------------
# 4a. --servers-only: print the variables and wait for Ctrl-C
# ---------------------------------------------------------------------------------------------
if [[ $MODE == servers ]]; then
  echo "export CHAT_TEST_POSTGRES=\"$CHAT_TEST_POSTGRES\""
  echo "export CHAT_TEST_REDIS=\"$CHAT_TEST_REDIS\""
  log "paste the two lines above into your shell (or IDE run settings); Ctrl-C stops the servers"
  while true; do
    # `sleep & wait` (not a plain sleep) so a signal runs the cleanup trap at once.
    sleep 5 &
    WAIT_PID=$!
    wait "$WAIT_PID" || true
    WAIT_PID=""
    pg pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || die "PostgreSQL stopped unexpectedly"
    [[ "$(rcli ping 2>/dev/null)" == "PONG" ]] || die "Redis stopped unexpectedly"
  done
fi

# ---------------------------------------------------------------------------------------------
# 4b. Run the tests
# ---------------------------------------------------------------------------------------------
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
RESULTS_DIR="$TMP_DIR/results"
log "running: dotnet test Api.sln -c Release $*"
test_rc=0
dotnet test Api.sln -c Release \
  --logger "trx" --logger "console;verbosity=normal" \
  --results-directory "$RESULTS_DIR" "$@" || test_rc=$?

# ---------------------------------------------------------------------------------------------
# 5. Summary from the .trx files: <ResultSummary><Counters total= executed= passed= failed= .../>
# ---------------------------------------------------------------------------------------------
trx_attr_sum() { # trx_attr_sum NAME FILE... -> sum of NAME="n" over the <Counters> elements
  local name=$1; shift
  # (the `|| true` keep a missing attribute from failing the pipeline under `set -o pipefail`)
  cat "$@" | tr '\r\n\t' '   ' | { grep -o '<Counters[[:space:]][^>]*>' || true; } \
    | { grep -o "[[:space:]]$name=\"[0-9]*\"" || true; } \
    | awk -F'"' '{ s += $2 } END { print s + 0 }'
}

mapfile -t trx_files < <(find "$RESULTS_DIR" -name '*.trx' -type f 2>/dev/null | sort)
total=0 executed=0 passed=0 failed=0 skipped=0
if [[ ${#trx_files[@]} -gt 0 ]]; then
  total=$(trx_attr_sum total "${trx_files[@]}")
  executed=$(trx_attr_sum executed "${trx_files[@]}")
  passed=$(trx_attr_sum passed "${trx_files[@]}")
  failed=$(( $(trx_attr_sum failed "${trx_files[@]}") + $(trx_attr_sum error "${trx_files[@]}") \
           + $(trx_attr_sum timeout "${trx_files[@]}") + $(trx_attr_sum aborted "${trx_files[@]}") ))
  skipped=$(( total - executed )) # VSTest's trx counts a skipped test in total but not in executed
  [[ $skipped -lt 0 ]] && skipped=0
  if [[ -n "${TEST_RESULTS_DIR:-}" ]]; then
    mkdir -p "$TEST_RESULTS_DIR" && cp "${trx_files[@]}" "$TEST_RESULTS_DIR/" \
      && log "copied ${#trx_files[@]} .trx file(s) to $TEST_RESULTS_DIR"
  fi
fi

echo
echo "tests: $passed passed, $failed failed, $skipped skipped"

if [[ $test_rc -ne 0 ]]; then
  log "dotnet test failed (exit code $test_rc)"
  exit "$test_rc"
fi
if [[ $executed -eq 0 ]]; then
  log "no tests ran (no .trx results, or every test was filtered out or skipped); treating this as a failure"
  exit 1
fi
if [[ $failed -ne 0 ]]; then
  log "dotnet test exited 0 but the results report $failed failed test(s)"
  exit 1
fi
exit 0
