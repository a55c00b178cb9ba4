#!/usr/bin/env bash
# One command for the end-to-end benchmarks (docs/BENCHMARKS.md has the rules and the results).
#
#   bench/run.sh [ladder|offline|idle|group|all] [--store postgres|sqlite] [--steps 1000,2000,...]
#                [--step-seconds 15] [--users 1000] [--connections 10000] [--no-relay] [--protocol json|messagepack]
#
# It starts its own throwaway PostgreSQL (fsync and synchronous_commit on) and Redis through
# `scripts/test.sh --servers-only`, builds the server, the load generator and the relay hub in Release,
# starts the server (and, for the ladder, the relay hub: the transport's own ceiling), runs the scenario,
# prints a table and stops everything it started, whatever happens.
#
#   ladder   open-loop fixed rates (--steps), each 3 s warm-up + --step-seconds measured, on the same users;
#            a step passes when >= 98 % of the offered rate is delivered inside the window, delivery
#            p99 <= 200 ms, nothing is missing or duplicated and the delivered receipts come back. Stops after
#            two failing steps in a row (one failure on a noisy machine is not the end). Then the same ladder
#            against the relay hub, for the ratio.
#   offline  1,000 senders x 10 messages to 1,000 users who are offline; then they connect and drain.
#   idle     --connections idle authenticated hub connections; server RSS growth per connection.
#   group    a 1,024-member group, all online; one message a step to the group; deliveries/s.
set -euo pipefail
cd "$(dirname "$0")/.."

SCENARIO="${1:-ladder}"
[[ $# -gt 0 ]] && shift
STORE=postgres
STEPS="500,1000,1500,2000,3000,4000,6000,8000,12000"
STEP_SECONDS=15
USERS=1000
CONNECTIONS=10000
RELAY=1
PROTOCOL=json
while [[ $# -gt 0 ]]; do
  case "$1" in
    --store) STORE="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --step-seconds) STEP_SECONDS="$2"; shift 2 ;;
    --users) USERS="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --no-relay) RELAY=0; shift ;;
    --protocol) PROTOCOL="$2"; shift 2 ;; # the hub protocol of the ladder's clients (the payloads stay JSON text)
    *) echo "unknown option $1 (see the header of bench/run.sh)" >&2; exit 2 ;;
  esac
done
case "$SCENARIO" in ladder|offline|idle|group|all) ;; *) echo "scenario must be ladder, offline, idle, group or all" >&2; exit 2 ;; esac
case "$STORE" in postgres|sqlite) ;; *) echo "--store must be postgres or sqlite" >&2; exit 2 ;; esac

log() { echo "[bench] $*" >&2; }
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true # idle: 10,000 sockets in each process
WORK=$(mktemp -d /tmp/chat-bench.XXXXXX)
SERVERS_PID="" SERVER_PID="" RELAY_PID=""
cleanup() {
  for pid in $SERVER_PID $RELAY_PID; do kill "$pid" 2>/dev/null || true; done
  for pid in $SERVER_PID $RELAY_PID; do wait "$pid" 2>/dev/null || true; done
  if [[ -n $SERVERS_PID ]]; then kill "$SERVERS_PID" 2>/dev/null || true; wait "$SERVERS_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building in Release"
dotnet build -c Release src/Api/Api.csproj -nologo -v q >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
dotnet build -c Release bench/Chat.LoadGen/Chat.LoadGen.csproj -nologo -v q >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
dotnet build -c Release bench/Chat.RelayServer/Chat.RelayServer.csproj -nologo -v q >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
SERVER_DLL=src/Api/bin/Release/net10.0/Chat.Api.dll
LOADGEN=(dotnet bench/Chat.LoadGen/bin/Release/net10.0/Chat.LoadGen.dll)
RELAY_DLL=bench/Chat.RelayServer/bin/Release/net10.0/Chat.RelayServer.dll

log "starting throwaway PostgreSQL and Redis (scripts/test.sh --servers-only)"
setsid scripts/test.sh --servers-only >"$WORK/servers.out" 2>"$WORK/servers.err" &
SERVERS_PID=$!
for _ in $(seq 600); do grep -q CHAT_TEST_REDIS "$WORK/servers.out" 2>/dev/null && break; sleep 1; done
grep -q CHAT_TEST_REDIS "$WORK/servers.out" || { cat "$WORK/servers.err"; exit 1; }
eval "$(cat "$WORK/servers.out")"
PG_DIR=$(sed -n 's/.*initdb with .* (in \(.*\))$/\1/p' "$WORK/servers.err" | head -1)
POSTMASTER=$(head -1 "$PG_DIR/pg/data/postmaster.pid")
REDIS_PORT=${CHAT_TEST_REDIS##*:}
REDIS_PID=$(pgrep -f "redis-server 127.0.0.1:$REDIS_PORT" | head -1)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"

start_server() { # $1 = scenario name (the database is bench_<name>)
  local db="bench_$1"
  local pg_port; pg_port=$(sed 's/.*Port=\([0-9]*\).*/\1/' <<<"$CHAT_TEST_POSTGRES")
  local pg_conn="" redis_conn=""
  if [[ $STORE == postgres ]]; then
    psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE $db" >/dev/null
    pg_conn="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$db;Maximum Pool Size=100"
    redis_conn="$CHAT_TEST_REDIS"
  fi
  # Load runs far above one person's rates: the per-user limits are raised, not switched off, so the cost of
  # checking them (a shared-bucket lease every RateLimits:LeaseSize sends) stays in the measurement.
  ConnectionStrings__Postgres="$pg_conn" ConnectionStrings__Redis="$redis_conn" Redis__ChannelPrefix="$db" \
    Storage__DataDirectory="$WORK/data-$db" ASPNETCORE_URLS="$URL" ASPNETCORE_ENVIRONMENT=Production \
    SignInThrottling__PermitLimit=100000000 Serilog__MinimumLevel__Default=Warning Auth__AdminApiKey=bench \
    RateLimits__SendsPerSecond=1000000 RateLimits__SendBurst=1000000 RateLimits__ConnectAttemptsPerMinute=1000000 \
    RateLimits__ConnectAttemptBurst=1000000 RateLimits__MaxConnectionsPerUser=100000 \
    dotnet "$SERVER_DLL" >"$WORK/server-$db.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 60); do curl -sf "$URL/health/ready" >/dev/null 2>&1 && return 0; sleep 1; done
  cat "$WORK/server-$db.log"; exit 1
}
stop_server() { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

watch_args() { # CPU of the server, PostgreSQL (postmaster and backends) and Redis over the measured window
  echo "--watch server=$1"
  [[ $STORE == postgres ]] && echo "--watch postgres=$POSTMASTER --watch redis=$REDIS_PID"
  return 0
}

# One row of the ladder table from a load generator summary.
row() { # $1 offered, $2 summary file
  python3 - "$1" "$2" <<'PY'
import json, sys
offered, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
s, d, c = r["sendAckLatency"], r["deliveryLatency"], r["cpuCores"]
cpu = " ".join(f"{k} {v:.2f}" for k, v in c.items())
verdict = "PASS" if r["verdict"]["pass"] else "FAIL: " + "; ".join(r["verdict"]["failures"])
print(f"| {offered} | {r['acknowledgedPerSecond']:.0f} | {r['deliveredPerSecond']:.0f} | {s['p50Ms']:.0f} / {s['p99Ms']:.0f} / {s['maxMs']:.0f} | {d['p50Ms']:.0f} / {d['p99Ms']:.0f} / {d['maxMs']:.0f} | {cpu} | {verdict} |")
PY
}

run_ladder() { # $1 = url, $2 = label, $3 = pid to watch, extra loadgen args after
  local url="$1" label="$2" pid="$3"; shift 3
  local tokens="$WORK/tokens-$label" best=0 failures=0
  echo
  echo "### Ladder: $label ($USERS users online, 100-byte JSON payloads, $PROTOCOL hub protocol, ${STEP_SECONDS} s measured per step)"
  echo
  echo "| offered/s | acked/s | delivered/s | send-ack p50 / p99 / max ms | delivery p50 / p99 / max ms | CPU cores | verdict |"
  echo "| ---: | ---: | ---: | ---: | ---: | --- | --- |"
  # A fresh server compiles its hot paths during its first seconds under load (tiered JIT); a deployed node is long
  # warm. One unmeasured run at the first step's rate keeps that start-up cost out of the table.
  local first=${STEPS%%,*}
  "${LOADGEN[@]}" --url "$url" --users "$USERS" --rate "$first" --inflight 32 --duration 10 --warmup 3 \
    --run-id "l$label" --token-cache "$tokens" --setup-parallelism 32 --protocol "$PROTOCOL" "$@" >"$WORK/$label-warmup.log" 2>&1 || true
  for rate in ${STEPS//,/ }; do
    "${LOADGEN[@]}" --url "$url" --users "$USERS" --rate "$rate" --inflight 32 --duration "$STEP_SECONDS" --warmup 3 \
      --run-id "l$label" --token-cache "$tokens" --setup-parallelism 32 --out "$WORK/$label-$rate.json" --protocol "$PROTOCOL" \
      $(watch_args "$pid") "$@" >"$WORK/$label-$rate.log" 2>&1 || true
    if [[ ! -s "$WORK/$label-$rate.json" ]]; then
      echo "| $rate | load generator failed: $(tail -1 "$WORK/$label-$rate.log") |"
      break
    fi
    row "$rate" "$WORK/$label-$rate.json"
    if grep -q '"pass": true' "$WORK/$label-$rate.json"; then
      best=$rate failures=0
    else
      failures=$((failures + 1))
      [[ $failures -ge 2 ]] && break
    fi
  done
  echo
  echo "Highest passing step ($label): $best msgs/s"
  echo "$best" >"$WORK/best-$label"
}

scenario_ladder() {
  start_server ladder
  run_ladder "$URL" "$STORE" "$SERVER_PID"
  stop_server
  if [[ $RELAY == 1 ]]; then
    local relay_port; relay_port=$(free_port)
    ASPNETCORE_URLS="http://127.0.0.1:$relay_port" dotnet "$RELAY_DLL" >"$WORK/relay.log" 2>&1 &
    RELAY_PID=$!
    for _ in $(seq 30); do curl -sf "http://127.0.0.1:$relay_port/health/ready" >/dev/null 2>&1 && break; sleep 1; done
    STEPS="$STEPS,16000,20000,24000" run_ladder "http://127.0.0.1:$relay_port" relay "$RELAY_PID" --no-ack
    kill "$RELAY_PID" 2>/dev/null || true; wait "$RELAY_PID" 2>/dev/null || true; RELAY_PID=""
    local ours relay
    ours=$(cat "$WORK/best-$STORE"); relay=$(cat "$WORK/best-relay")
    echo
    echo "Durable delivery ($STORE) reaches $ours msgs/s against the relay's $relay msgs/s: $(python3 -c "print(f'{$ours/max($relay,1):.0%}')") of the transport's ceiling on this machine."
  fi
}

scenario_offline() {
  start_server offline
  echo
  echo "### Offline: 1,000 senders x 10 messages to 1,000 offline users, then they drain"
  echo
  "${LOADGEN[@]}" --url "$URL" --mode offline --users 2000 --per-sender 10 --run-id offline \
    --setup-parallelism 32 --token-cache "$WORK/tokens-offline" 2>&1 | sed -n '/== Chat.LoadGen offline/,$p'
  stop_server
}

scenario_group() {
  start_server group
  echo
  echo "### Group: one group of 1,024 members, all online"
  echo
  echo "| sends/s to the group | deliveries/s | delivery p50 / p99 / max ms | CPU cores | verdict (p99 <= 1 s) |"
  echo "| ---: | ---: | ---: | --- | --- |"
  for rate in 10 20 30 40; do
    "${LOADGEN[@]}" --url "$URL" --users 1024 --senders 8 --group-size 1024 --group-share 1 --rate "$rate" --inflight 8 \
      --duration "$STEP_SECONDS" --warmup 3 --run-id group --token-cache "$WORK/tokens-group" --setup-parallelism 32 \
      --pass-p99-ms 1000 --out "$WORK/group-$rate.json" $(watch_args "$SERVER_PID") >"$WORK/group-$rate.log" 2>&1 || true
    [[ -s "$WORK/group-$rate.json" ]] || { echo "| $rate | load generator failed: $(tail -1 "$WORK/group-$rate.log") |"; break; }
    python3 - "$rate" "$WORK/group-$rate.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[2])); d = r["deliveryLatency"]
cpu = " ".join(f"{k} {v:.2f}" for k, v in r["cpuCores"].items())
verdict = "PASS" if r["verdict"]["pass"] else "FAIL: " + "; ".join(r["verdict"]["failures"])
print(f"| {sys.argv[1]} | {r['deliveredPerSecond']:.0f} | {d['p50Ms']:.0f} / {d['p99Ms']:.0f} / {d['maxMs']:.0f} | {cpu} | {verdict} |")
PY
    grep -q '"pass": true' "$WORK/group-$rate.json" || break
  done
  stop_server
}

scenario_idle() {
  start_server idle
  echo
  echo "### Idle: $CONNECTIONS authenticated idle hub connections"
  echo
  "${LOADGEN[@]}" --url "$URL" --mode idle --users "$USERS" --connections "$CONNECTIONS" --run-id idle \
    --setup-parallelism 64 --token-cache "$WORK/tokens-idle" --watch "server=$SERVER_PID" 2>&1 | sed -n '/== Chat.LoadGen idle/,$p'
  stop_server
}

echo "## bench/run.sh $SCENARIO (store: $STORE) on $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
case "$SCENARIO" in
  ladder) scenario_ladder ;;
  offline) scenario_offline ;;
  idle) scenario_idle ;;
  group) scenario_group ;;
  all) scenario_ladder; scenario_offline; scenario_group; scenario_idle ;;
esac
