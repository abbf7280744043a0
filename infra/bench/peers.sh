#!/usr/bin/env bash
# ./tollgate bench peers [--quick] [--seconds S] [--rate R] [--out FILE] [--no-portkey] [--targets a,b]
#                        [--baseline REV] [--payloads json|sse] [--warmup-rounds N]
#
# Gateway vs peers in one run (issue 13, part 1): the same 1 KB Anthropic POST, JSON and SSE,
# straight to the upstream (the ceiling), through nginx proxy_pass, through Portkey, through
# the Tollgate gateway publishing to Kafka, and through Tollgate with the broker stopped (spill).
# The proxy under test runs alone on core 0; wrk, the load generator, the upstream and Kafka on
# the other cores. Two runs per cell: maximum throughput (wrk, closed loop) and a fixed rate
# (open loop, latency from each request's scheduled send). Results go to BENCHMARKS.md between
# its "bench-peers" markers; --quick (tiny durations, a smoke test of the harness) writes a
# temporary file instead and exits non-zero unless every cell produced numbers.
#
# --baseline REV adds "tollgate-base" right before "tollgate": the same gateway built from commit REV
# (its schemas and ingress jars, built once from `git archive` and cached under .tollgate/bench/),
# so an optimisation's before and after are measured back to back in one run, in both orders
# (baseline, this build, this build again, baseline again: on 2026-12-03 a swapped-order rerun
# reversed a one-order run's verdict, ~15 % either way, as much as the change measured); and the usage tap of both builds
# in one JVM (TapBench, thread CPU time per answer and per SSE event).
#
# Needs nginx and wrk (Debian) and @portkey-ai/gateway (npm, cached under .tollgate/bench/):
# installed when missing if run as root, else the exact command is printed and the script exits 3.
# Expects TOLLGATE_BENCH_CP (the bench classpath) and JAVA_HOME, which ./tollgate sets.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FIXTURES="$ROOT/infra/bench/peers"
PORTKEY_VERSION=1.15.2
PORTKEY_DIR="$ROOT/.tollgate/bench/portkey-$PORTKEY_VERSION"
PORTKEY_JS="$PORTKEY_DIR/node_modules/@portkey-ai/gateway/build/start-server.js"

quick=0 portkey=1 out="" max_s=15 fixed_s=15 rate=5000 targets="" baseline="" only_payload="" warmup_rounds=""
all_targets="direct,nginx,vertx,portkey,tollgate,tollgate-spill"
args_text="$*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-portkey) portkey=0 ;;
    --seconds) max_s="$2"; fixed_s="$2"; shift ;;
    --rate) rate="$2"; shift ;;
    --out) out="$2"; shift ;;
    --targets) targets="$2"; shift ;; # a subset, for trying things out (needs --out: BENCHMARKS.md wants them all)
    --baseline) baseline="$2"; shift ;;
    --payloads) only_payload="$2"; shift ;; # one payload only, for trying things out (needs --out, as --targets)
    --warmup-rounds) warmup_rounds="$2"; shift ;; # the JVM gateways' warm-up rounds of 5 s before the first payload (default 12)
    *) echo "usage: ./tollgate bench peers [--quick] [--seconds S] [--rate R] [--out FILE] [--no-portkey] [--targets a,b] [--baseline REV] [--payloads json|sse] [--warmup-rounds N]" >&2; exit 2 ;;
  esac
  shift
done
[[ -n $baseline ]] && all_targets="${all_targets/,tollgate,/,tollgate-base,tollgate,tollgate-again,tollgate-base-again,}"
[[ -z $targets || $targets == "$all_targets" || -n $out || $quick == 1 ]] \
  || { echo "bench peers: --targets needs --out FILE (BENCHMARKS.md gets only complete runs)" >&2; exit 2; }
targets="${targets:-$all_targets}"
case "$only_payload" in
  "" | json,sse) only_payload="" ;;
  json | sse) [[ -n $out || $quick == 1 ]] || { echo "bench peers: --payloads needs --out FILE (BENCHMARKS.md gets only complete runs)" >&2; exit 2; } ;;
  *) echo "bench peers: --payloads is json or sse, not '$only_payload'" >&2; exit 2 ;;
esac
[[ ",$targets," == *,tollgate-base* && -z $baseline ]] && { echo "bench peers: tollgate-base needs --baseline REV" >&2; exit 2; }
[[ ",$targets," == *,portkey,* ]] || portkey=0
# Warm-up: wrk rounds before the measured one; the round-by-round numbers go into the report, so
# it shows when the gateway reached its steady state. A JVM gateway's first payload (JSON) warms
# its JIT: on its one core under full load the C2 compiler thread takes about half of that core
# for ~45 s (JFR, 2026-12-02), so 30 s of warm-up measured a point on the warm-up curve, not the
# steady state, and two builds differed by up to 40 % in either direction by chance. 60 s it is;
# the later payload (SSE) shares that warm code and keeps 30 s.
jvm_rounds=12 jvm_rounds_after=6 jvm_round_s=5 peer_rounds=1 peer_round_s=3 fixed_warm_s=3 grace_s=10 self_warm_s=5
tap_rounds=20 tap_round_s=0.5
if [[ -n $warmup_rounds ]]; then
  [[ $warmup_rounds =~ ^[0-9]+$ ]] || { echo "bench peers: --warmup-rounds wants a number, not '$warmup_rounds'" >&2; exit 2; }
  jvm_rounds=$warmup_rounds
  ((jvm_rounds_after <= jvm_rounds)) || jvm_rounds_after=$jvm_rounds
fi
if [[ $quick == 1 ]]; then
  max_s=2 fixed_s=2 rate=200 jvm_rounds=1 jvm_rounds_after=1 jvm_round_s=3 peer_rounds=0 peer_round_s=1 fixed_warm_s=1
  grace_s=3 self_warm_s=1 tap_rounds=2 tap_round_s=0.1
fi

say() { printf 'bench peers: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[[ -n "${TOLLGATE_BENCH_CP:-}" ]] || die "TOLLGATE_BENCH_CP is not set (run through ./tollgate bench peers)"
[[ -x "${JAVA_HOME:-}/bin/java" ]] || die "JAVA_HOME does not hold a JDK (run through ./tollgate bench peers)"
JAVA="$JAVA_HOME/bin/java"
JFLAGS=(--enable-native-access=ALL-UNNAMED)
"$JAVA" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1 && JFLAGS+=(--sun-misc-unsafe-memory-access=allow)

# ---- installs ----------------------------------------------------------------------------
as_root() { [[ "$(id -u)" == 0 ]]; }
missing=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [[ ${#missing[@]} -gt 0 ]]; then
  if as_root; then
    say "installing ${missing[*]} (apt-get install -y ${missing[*]})"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    say "missing ${missing[*]}. Install them: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 3
  fi
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
portkey_note=""
install_portkey() { # Portkey is a peer, not a requirement of Tollgate: a failed install is reported, not fatal in --quick
  [[ -f "$PORTKEY_JS" ]] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    if as_root; then
      say "installing Node.js (apt-get install -y nodejs npm)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null || return 1
    else
      portkey_note="npm missing: sudo apt-get install -y nodejs npm"; return 1
    fi
  fi
  say "installing @portkey-ai/gateway@$PORTKEY_VERSION into $PORTKEY_DIR (npm, once)"
  mkdir -p "$PORTKEY_DIR"
  (cd "$PORTKEY_DIR" && timeout 300 npm install --no-audit --no-fund --loglevel=error \
      "@portkey-ai/gateway@$PORTKEY_VERSION" >"$PORTKEY_DIR/npm-install.log" 2>&1) \
    || { portkey_note="npm install @portkey-ai/gateway@$PORTKEY_VERSION failed (see $PORTKEY_DIR/npm-install.log)"; return 1; }
}
if [[ $portkey == 1 ]] && ! install_portkey; then
  [[ $quick == 1 ]] || die "${portkey_note:-Portkey install failed}; --no-portkey runs without it"
  say "skipping Portkey: $portkey_note"; portkey=0
fi
[[ $portkey == 0 && -z "$portkey_note" ]] && portkey_note="not measured (--no-portkey)"

# ---- processes: every one started here is stopped on exit ---------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tollgate-peers.XXXXXX")"
RESULTS="$WORK/results.txt" NOTES="$WORK/notes.txt"
: >"$RESULTS"; : >"$NOTES"
started=()
stop_pid() { # TERM, then KILL after 15 s; waits so nothing outlives its cell; forgets the pid
  local pid="$1" i keep=()
  for i in "${started[@]}"; do [[ $i == "$pid" ]] || keep+=("$i"); done
  started=("${keep[@]}")
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? i pids=("${started[@]}")
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[i]}"; done
  if [[ $rc == 0 ]]; then rm -rf "$WORK"; else say "failed (exit $rc); logs kept in $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ports_taken=" "
# Below the kernel's ephemeral range, so no outgoing connection holds the port; nothing listening
# there is checked by connecting.
ephemeral_low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
((ephemeral_low > 12000)) || ephemeral_low=32768
free_port() { # a port nothing listens on, never handed out twice in a run
  local p
  while :; do
    p=$((10000 + RANDOM % (ephemeral_low - 10000)))
    [[ "$ports_taken" == *" $p "* ]] && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    ports_taken+="$p "; printf '%s' "$p"; return
  done
}
wait_http() { # url pid log seconds: until the URL answers at all (any status), the process lives and time remains
  local url="$1" pid="$2" log="$3" deadline=$((SECONDS + $4))
  until curl -s -o /dev/null -m 2 "$url"; do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$log" >&2; die "process for $url exited while starting"; }
    ((SECONDS < deadline)) || { tail -20 "$log" >&2; die "$url did not answer within $4 s"; }
    sleep 0.1
  done
}

cpus=() # the CPUs this process may use (a container's cpuset may not start at 0)
for range in $(awk '/^Cpus_allowed_list/ {gsub(",", " ", $2); print $2}' /proc/self/status); do
  for ((c = ${range%-*}; c <= ${range#*-}; c++)); do cpus+=("$c"); done
done
cores=${#cpus[@]}
if ((cores >= 2)); then
  PROXY_PIN=(taskset -c "${cpus[0]}"); REST_CPUS="$(IFS=,; echo "${cpus[*]:1}")"
  taskset -cp "$REST_CPUS" $$ >/dev/null # this shell and all it starts (wrk, generator, upstream, Kafka)
  pinning="proxy alone on core ${cpus[0]}; wrk, generator, upstream and Kafka on cores $REST_CPUS"
else
  PROXY_PIN=(); REST_CPUS=""; pinning="one core: nothing pinned (numbers are not comparable to pinned runs)"
fi
CLK_TCK=$(getconf CLK_TCK)

# ---- upstream: nginx `return 200` with a fixed Anthropic JSON reply / a 51-event stream --------
UP_JSON=$(free_port) UP_SSE=$(free_port)
mkdir -p "$WORK/upstream"
# nginx caps one config token at 4 KB: the stream is set in parts of whole events, then returned as one.
sse_parts() {
  awk -v RS='\n\n' -v ORS='' '
    { ev = $0 "\n\n"; if (length(part) + length(ev) > 3500) { parts[n++] = part; part = "" } part = part ev }
    END { parts[n++] = part; ret = "";
          for (i = 0; i < n; i++) { printf "      set $sse%d \x27%s\x27;\n", i, parts[i]; ret = ret "$sse" i }
          printf "      return 200 \x27%s\x27;\n", ret }' "$FIXTURES/reply.sse"
}
cat >"$WORK/upstream/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/upstream/nginx.pid;
error_log $WORK/upstream/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$UP_JSON;
    default_type application/json;
    location / { return 200 '$(cat "$FIXTURES/reply.json")'; }
  }
  server {
    listen 127.0.0.1:$UP_SSE;
    default_type text/event-stream;
    location / {
      add_header cache-control no-cache;
$(sse_parts)
    }
  }
}
EOF
"$NGINX" -e "$WORK/upstream/error.log" -p "$WORK/upstream" -c "$WORK/upstream/nginx.conf" >"$WORK/upstream/out.log" 2>&1 &
started+=($!); upstream_pid=$!
wait_http "http://127.0.0.1:$UP_JSON/" "$upstream_pid" "$WORK/upstream/error.log" 10
wait_http "http://127.0.0.1:$UP_SSE/" "$upstream_pid" "$WORK/upstream/error.log" 10

source "$ROOT/infra/bench/peers-targets.sh"
if [[ -n $baseline ]]; then build_baseline "$baseline"; tap_bench; fi

expect=""
started_at=$SECONDS
load="$(awk '{print $1}' /proc/loadavg)"
# --quick starts the broker while the first targets run (faster, and its numbers mean nothing anyway);
# a measurement starts it only when its gateway is next, so it never competes with the other peers.
[[ $quick == 1 && ",$targets," == *,tollgate* ]] && start_kafka
for t in ${targets//,/ }; do
  if [[ $t == portkey && $portkey == 0 ]]; then echo "Portkey: $portkey_note" >>"$NOTES"; continue; fi
  if [[ $t == tollgate-spill && -z $kafka_pid ]]; then start_kafka; await_kafka; fi # spill = this broker, stopped
  expect+="${expect:+,}$t${only_payload:+:$only_payload}"
  run_target "$t"
done
echo "Harness run time: $((SECONDS - started_at)) s (after build and installs)." >>"$NOTES"
load="$load at the start, $(awk '{print $1}' /proc/loadavg) at the end"

# ---- report ---------------------------------------------------------------------------------
machine="$(nproc --all) vCPU ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r), $("$JAVA" -version 2>&1 | head -1 | tr -d '"'), $("$NGINX" -v 2>&1 | sed 's/.*: //'), wrk $({ wrk -v 2>&1 || true; } | awk 'NR==1 {print $2}')"
[[ $portkey == 1 ]] && machine+=", Node $(node --version), Portkey $PORTKEY_VERSION"
if [[ $quick == 1 ]]; then
  out="${out:-$WORK/../tollgate-peers-quick.md}"
  "$JAVA" -cp "$TOLLGATE_BENCH_CP" io.tollgate.bench.peers.PeersReport --results "$RESULTS" --notes "$NOTES" \
    --out "$out" --standalone true --expect "$expect" --command "./tollgate bench peers $args_text" \
    --machine "$machine" --pinning "$pinning" --load "$load" --rate "$rate" --seconds "$max_s"
  say "quick run OK: every cell produced numbers; table in $out"
else
  out="${out:-$ROOT/BENCHMARKS.md}"
  "$JAVA" -cp "$TOLLGATE_BENCH_CP" io.tollgate.bench.peers.PeersReport --results "$RESULTS" --notes "$NOTES" \
    --out "$out" --standalone false --expect "$expect" \
    --command "./tollgate bench peers $args_text" --machine "$machine" --pinning "$pinning" --load "$load" \
    --rate "$rate" --seconds "$max_s"
  say "wrote the 'Gateway vs peers' section of $out"
fi
