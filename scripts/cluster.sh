#!/usr/bin/env bash
# Runs several chat nodes behind nginx on this machine: a real cluster to try things against.
#
#   scripts/cluster.sh                    2 nodes, with throwaway PostgreSQL and Redis (from scripts/test.sh)
#   scripts/cluster.sh --nodes 3          any number of nodes
#   scripts/cluster.sh --postgres 'Host=…;Username=…;Database=…' --redis '127.0.0.1:6379'
#                                         use these servers instead (or set CHAT_TEST_POSTGRES/CHAT_TEST_REDIS,
#                                         e.g. from `scripts/test.sh --servers-only`)
#   scripts/cluster.sh --port 8080        the load balancer's port (default: a free one)
#
# What it does: builds src/Api in Release, starts N server processes on free loopback ports against one
# PostgreSQL and one Redis, with one shared token signing key and admin API key, then its own nginx master
# (installed with apt-get if missing; never the system service) in front of them, rendered from
# scripts/nginx/chat-lb.conf.template. It prints the address to use and waits; Ctrl-C (or any exit) stops the
# nodes gracefully (SIGTERM), then nginx and the throwaway servers, and deletes its temp folder.
# Environment: CHAT_SIGNING_KEY (base64, 32+ bytes) and CHAT_ADMIN_KEY replace the generated keys.
# shellcheck disable=SC2317  # (cleanup is only reached through traps)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

log() { echo "[cluster.sh] $*" >&2; }
die() { echo "[cluster.sh] ERROR: $*" >&2; exit 1; }

NODES=2
POSTGRES="${CHAT_TEST_POSTGRES:-}"
REDIS="${CHAT_TEST_REDIS:-}"
LB_PORT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) NODES=$2; shift 2 ;;
    --postgres) POSTGRES=$2; shift 2 ;;
    --redis) REDIS=$2; shift 2 ;;
    --port) LB_PORT=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ "$NODES" =~ ^[1-9][0-9]*$ ]] || die "--nodes takes a positive number"
if [[ -n "$POSTGRES" && -z "$REDIS" ]] || [[ -z "$POSTGRES" && -n "$REDIS" ]]; then
  die "give both --postgres and --redis, or neither (then throwaway servers are started)"
fi

# ---------------------------------------------------------------------------------------------
# Install nginx if missing
# ---------------------------------------------------------------------------------------------
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $* (install nginx yourself)"; fi
}
find_nginx() { command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; }; }
NGINX=$(find_nginx || true)
if [[ -z "$NGINX" ]]; then
  log "installing nginx with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends nginx >&2
  NGINX=$(find_nginx || true)
  [[ -n "$NGINX" ]] || die "nginx was installed but not found"
fi
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH; see global.json for the version"

# ---------------------------------------------------------------------------------------------
# Temp folder and cleanup
# ---------------------------------------------------------------------------------------------
TMP_DIR=$(mktemp -d /tmp/chat-cluster.XXXXXXXX)
chmod 755 "$TMP_DIR" # nginx workers run as an unprivileged user and must reach their temp folders
SERVERS_PID=""
NGINX_PID=""
NODE_PIDS=()
NODE_PORTS=()
WAIT_PID=""

cleanup() {
  local rc=$? pid i
  set +e
  trap - EXIT INT TERM HUP
  [[ -n "$WAIT_PID" ]] && kill "$WAIT_PID" 2>/dev/null
  if [[ ${#NODE_PIDS[@]} -gt 0 ]]; then
    log "stopping ${#NODE_PIDS[@]} node(s) (SIGTERM: drain, then close sessions)"
    for pid in "${NODE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for i in $(seq 1 350); do # up to 35 s: the nodes' drain is bounded by Shutdown:DrainTimeout
      local alive=0
      for pid in "${NODE_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [[ $alive -eq 0 ]] && break
      sleep 0.1
    done
    for pid in "${NODE_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  fi
  if [[ -n "$NGINX_PID" ]]; then
    kill -QUIT "$NGINX_PID" 2>/dev/null
    for i in $(seq 1 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$NGINX_PID" 2>/dev/null
  fi
  if [[ -n "$SERVERS_PID" ]]; then
    kill -TERM "$SERVERS_PID" 2>/dev/null # its own trap stops PostgreSQL and Redis and deletes its folder
    wait "$SERVERS_PID" 2>/dev/null
  fi
  rm -rf "$TMP_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

port_is_free() {
  local p=$1
  if command -v ss >/dev/null 2>&1 && [[ -n "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]]; then return 1; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then return 1; fi
  return 0
}
TAKEN=" "
pick_port() { # a random free port below the ephemeral range, not handed out before by this script
  local p i
  for i in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    [[ "$TAKEN" == *" $p "* ]] && continue
    if port_is_free "$p"; then TAKEN+="$p "; echo "$p"; return 0; fi
  done
  die "could not find a free TCP port"
}

wait_ready() { # wait_ready URL SECONDS
  local i
  for i in $(seq 1 $(( $2 * 2 ))); do
    curl -sf -o /dev/null --max-time 2 "$1" && return 0
    sleep 0.5
  done
  return 1
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL and Redis
# ---------------------------------------------------------------------------------------------
if [[ -z "$POSTGRES" ]]; then
  log "starting throwaway PostgreSQL and Redis (scripts/test.sh --servers-only)"
  scripts/test.sh --servers-only >"$TMP_DIR/servers.out" 2>"$TMP_DIR/servers.log" &
  SERVERS_PID=$!
  for _ in $(seq 1 600); do # up to 5 min: the first run may install packages
    [[ $(grep -c '^export CHAT_TEST_' "$TMP_DIR/servers.out" 2>/dev/null || true) -ge 2 ]] && break
    kill -0 "$SERVERS_PID" 2>/dev/null || { cat "$TMP_DIR/servers.log" >&2; die "scripts/test.sh --servers-only failed"; }
    sleep 0.5
  done
  eval "$(grep '^export CHAT_TEST_' "$TMP_DIR/servers.out")"
  POSTGRES=$CHAT_TEST_POSTGRES
  REDIS=$CHAT_TEST_REDIS
fi

# ---------------------------------------------------------------------------------------------
# The nodes
# ---------------------------------------------------------------------------------------------
log "building src/Api (Release)"
dotnet build src/Api -c Release -nologo -v quiet >"$TMP_DIR/build.log" 2>&1 || { tail -n 30 "$TMP_DIR/build.log" >&2; die "build failed"; }
DLL="$ROOT/src/Api/bin/Release/net10.0/Chat.Api.dll"
[[ -f "$DLL" ]] || die "no $DLL after the build"

SIGNING_KEY="${CHAT_SIGNING_KEY:-$(head -c 32 /dev/urandom | base64)}"
ADMIN_KEY="${CHAT_ADMIN_KEY:-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')}"
CHANNEL_PREFIX="cluster-$(basename "$TMP_DIR")"

for n in $(seq 1 "$NODES"); do
  port=$(pick_port)
  mkdir -p "$TMP_DIR/node-$n"
  log "node $n: http://127.0.0.1:$port (log: $TMP_DIR/node-$n.log)"
  ( cd "$TMP_DIR/node-$n" && exec env \
      ASPNETCORE_URLS="http://127.0.0.1:$port" \
      ASPNETCORE_ENVIRONMENT=Production \
      ASPNETCORE_FORWARDEDHEADERS_ENABLED=true \
      ConnectionStrings__Postgres="$POSTGRES" \
      ConnectionStrings__Redis="$REDIS" \
      Redis__ChannelPrefix="$CHANNEL_PREFIX" \
      Auth__SigningKey="$SIGNING_KEY" \
      Auth__AdminApiKey="$ADMIN_KEY" \
      Storage__DataDirectory="$TMP_DIR/node-$n" \
      dotnet "$DLL" ) >"$TMP_DIR/node-$n.log" 2>&1 &
  NODE_PIDS+=($!)
  NODE_PORTS+=("$port")
done
for n in $(seq 1 "$NODES"); do
  wait_ready "http://127.0.0.1:${NODE_PORTS[$((n - 1))]}/health/ready" 90 \
    || { tail -n 30 "$TMP_DIR/node-$n.log" >&2; die "node $n did not become ready"; }
done

# ---------------------------------------------------------------------------------------------
# nginx in front
# ---------------------------------------------------------------------------------------------
[[ -n "$LB_PORT" ]] || LB_PORT=$(pick_port)
mkdir -p "$TMP_DIR/nginx/tmp" "$TMP_DIR/nginx/logs" # (logs/: where nginx looks before it reads the config)
UPSTREAMS=""
for port in "${NODE_PORTS[@]}"; do
  UPSTREAMS+="        server 127.0.0.1:$port max_fails=2 fail_timeout=3s;"$'\n'
done
export PREFIX="$TMP_DIR/nginx" LISTEN="127.0.0.1:$LB_PORT" UPSTREAMS
# (perl, not sed: the server lines hold newlines)
perl -pe 's/\@PREFIX\@/$ENV{PREFIX}/g; s/\@LISTEN\@/$ENV{LISTEN}/g; s/^\@UPSTREAM_SERVERS\@\n/$ENV{UPSTREAMS}/' \
  scripts/nginx/chat-lb.conf.template >"$TMP_DIR/nginx/nginx.conf"
"$NGINX" -t -q -p "$TMP_DIR/nginx" -c "$TMP_DIR/nginx/nginx.conf" >&2 || die "nginx refused the generated config"
"$NGINX" -p "$TMP_DIR/nginx" -c "$TMP_DIR/nginx/nginx.conf" 2>>"$TMP_DIR/nginx/startup.log" &
NGINX_PID=$!
wait_ready "http://127.0.0.1:$LB_PORT/health/ready" 30 \
  || { cat "$TMP_DIR/nginx/startup.log" "$TMP_DIR/nginx/error.log" >&2 2>/dev/null; die "nginx did not answer on 127.0.0.1:$LB_PORT"; }

cat <<EOT

Cluster is up: $NODES node(s) behind nginx.

  Use:        http://127.0.0.1:$LB_PORT        (hub: ws://127.0.0.1:$LB_PORT/hubs/chat, skip negotiation)
  Nodes:      $(for p in "${NODE_PORTS[@]}"; do printf 'http://127.0.0.1:%s  ' "$p"; done)
  Node pids:  ${NODE_PIDS[*]}   (try: kill -9 / kill -TERM one of them)
  Admin key:  $ADMIN_KEY   (header X-Admin-Key, e.g. curl -H 'X-Admin-Key: …' http://127.0.0.1:<node>/admin/node)
  PostgreSQL: $POSTGRES
  Redis:      $REDIS
  Logs:       $TMP_DIR/node-*.log, $TMP_DIR/nginx/access.log

Ctrl-C stops everything.
EOT

declare -A REPORTED=()
while true; do
  sleep 2 &
  WAIT_PID=$!
  wait "$WAIT_PID" || true
  WAIT_PID=""
  for i in "${!NODE_PIDS[@]}"; do
    if [[ -z "${REPORTED[$i]:-}" ]] && ! kill -0 "${NODE_PIDS[$i]}" 2>/dev/null; then
      REPORTED[$i]=1
      log "node $((i + 1)) (pid ${NODE_PIDS[$i]}) has exited; nginx sends its clients to the others"
    fi
  done
  kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited (see $TMP_DIR/nginx/error.log)"
done
