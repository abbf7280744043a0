# Sourced by peers.sh: starting, measuring and stopping each proxy under test. Uses peers.sh's
# variables (WORK, RESULTS, NOTES, ports, pins, durations) and helpers (free_port, wait_http, stop_pid).

COMMON_HEADERS=(--header "content-type: application/json" --header "anthropic-version: 2023-06-01"
  --header "user-agent: claude-cli/2.1.3 (external, cli)")

# target pid rounds round_seconds payloads url-json url-sse [--header-json|--header-sse 'k: v']...:
# every cell of one target in one PeerCell JVM (its progress goes to stderr, its lines to RESULTS)
cells() {
  local target="$1" pid="$2" rounds="$3" round_s="$4" payloads="$5" url_json="$6" url_sse="$7"
  shift 7
  "$JAVA" "${JFLAGS[@]}" -Xmx512m -cp "$TOLLGATE_BENCH_CP" io.tollgate.bench.peers.PeerCell \
    --target "$target" --payloads "$payloads" --pid "$pid" --clk-tck "$CLK_TCK" --out "$RESULTS" --work "$WORK" \
    --url-json "$url_json" --body-json "$FIXTURES/request.json" --url-sse "$url_sse" --body-sse "$FIXTURES/request-sse.json" \
    --max-seconds "$max_s" --warmup-rounds "$rounds" --warmup-rounds-after "${rounds_after:-$rounds}" --warmup-seconds "$round_s" \
    --fixed-seconds "$fixed_s" --rate "$rate" --fixed-warmup "$fixed_warm_s" --grace "$grace_s" \
    --self-warmup "$self_warm_s" --self-warmup-reply "$FIXTURES/reply.json" \
    "${COMMON_HEADERS[@]}" "$@" >>"$WORK/cells.log" \
    || { tail -30 "$WORK/cells.log" >&2; die "cells of $target failed"; }
}

# url dir [--header h]...: one streaming request before the load, so a peer that cannot stream
# through this route is reported as such instead of measured as a wall of errors
probe_sse() {
  local url="$1" dir="$2" h=() code
  shift 2
  while [[ $# -gt 0 ]]; do h+=(-H "$2"); shift 2; done
  code=$(curl -s -m 10 -o "$dir/probe.body" -w '%{http_code}' "${h[@]}" -H "content-type: application/json" \
    -H "anthropic-version: 2023-06-01" --data-binary "@$FIXTURES/request-sse.json" "$url" || true)
  echo "$code" >"$dir/probe.code"
  [[ $code == 200 ]] && grep -q '^event: message_stop' "$dir/probe.body"
}

kafka_pid="" kafka_port=""
start_kafka() {
  kafka_port=$(free_port)
  local cport log="$WORK/kafka/out.log"
  cport=$(free_port)
  mkdir -p "$WORK/kafka"
  mkfifo "$WORK/kafka/stdin"
  # The broker exits when its stdin closes: this shell holds the FIFO open until it ends.
  exec {kafka_stdin}<>"$WORK/kafka/stdin"
  "$JAVA" "${JFLAGS[@]}" -Xmx512m -cp "$TOLLGATE_BENCH_CP" io.tollgate.local.kafka.EmbeddedKafka \
    --data-dir "$WORK/kafka/data" --port "$kafka_port" --controller-port "$cport" --partitions 3 \
    <"$WORK/kafka/stdin" >"$log" 2>&1 &
  kafka_pid=$!; started+=("$kafka_pid")
}
await_kafka() {
  local log="$WORK/kafka/out.log" deadline=$((SECONDS + 120))
  until grep -q '^TOLLGATE-KAFKA-READY' "$log"; do
    kill -0 "$kafka_pid" 2>/dev/null || { tail -20 "$log" >&2; die "Kafka exited while starting"; }
    ((SECONDS < deadline)) || die "Kafka not ready within 120 s (see $log)"
    sleep 0.2
  done
}

BASE_CP="" BASE_SHA="" BASE_OPTS=()
# rev: builds the schemas and ingress jars of commit rev once (from `git archive`, so no checkout or
# worktree changes) into .tollgate/bench/baseline-<sha>/, and sets BASE_CP: the bench classpath
# with those two jars in place of this build's (every other dependency is this build's).
build_baseline() {
  local rev="$1" dir src cp="" entry
  BASE_SHA=$(git -C "$ROOT" rev-parse --short=12 "$rev^{commit}" 2>/dev/null) || die "--baseline $rev: not a commit"
  dir="$ROOT/.tollgate/bench/baseline-$BASE_SHA"
  if [[ ! -f $dir/built ]]; then
    say "building the baseline gateway at $BASE_SHA (mvn package of schemas and ingress, once)"
    src="$WORK/baseline-src"
    mkdir -p "$src" "$dir"
    git -C "$ROOT" archive "$BASE_SHA" | tar -x -C "$src"
    (cd "$src" && { nice mvn -B -q -o -ntp -pl ingress -am -Dmaven.test.skip=true package || mvn -B -q -ntp -pl ingress -am -Dmaven.test.skip=true package; }) \
      >"$WORK/baseline-build.log" 2>&1 || { tail -30 "$WORK/baseline-build.log" >&2; die "baseline $BASE_SHA does not build"; }
    cp "$src"/schemas/target/tollgate-schemas-*.jar "$src"/ingress/target/tollgate-ingress-*.jar "$dir/"
    # the JVM options that commit launched its gateway with (none before infra/gateway-jvm.options existed)
    [[ -f $src/infra/gateway-jvm.options ]] && cp "$src/infra/gateway-jvm.options" "$dir/"
    rm -rf "$src"
    touch "$dir/built"
  fi
  for entry in ${TOLLGATE_BENCH_CP//:/ }; do
    [[ $entry == */tollgate-schemas-*.jar || $entry == */tollgate-ingress-*.jar ]] || cp+="${cp:+:}$entry"
  done
  BASE_CP="$(ls "$dir"/tollgate-schemas-*.jar):$(ls "$dir"/tollgate-ingress-*.jar):$cp"
  BASE_OPTS=()
  [[ -f $dir/gateway-jvm.options ]] && BASE_OPTS=("@$dir/gateway-jvm.options")
  echo "Tollgate baseline = the gateway at commit $BASE_SHA ($(git -C "$ROOT" log -1 --format=%s "$BASE_SHA" | cut -c1-90)), measured right before this commit's gateway on the same broker." >>"$NOTES"
}

# The usage tap of the baseline and of this build in one JVM (TapBench): CPU per answer and per
# SSE event, measured by thread CPU time, so it holds on a loaded machine too.
tap_bench() {
  local current="" entry
  for entry in ${TOLLGATE_BENCH_CP//:/ }; do [[ $entry == */tollgate-ingress-*.jar ]] && current="$entry"; done
  say "$(date -u +%T) usage tap: baseline $BASE_SHA and this build, alternating rounds"
  "$JAVA" "${JFLAGS[@]}" -Xmx256m -cp "$TOLLGATE_BENCH_CP" io.tollgate.bench.peers.TapBench \
    --baseline-jar "$(ls "$ROOT/.tollgate/bench/baseline-$BASE_SHA"/tollgate-ingress-*.jar)" --current-jar "$current" \
    --sse "$FIXTURES/reply.sse" --json "$FIXTURES/reply.json" --rounds "$tap_rounds" --round-seconds "$tap_round_s" \
    >>"$RESULTS" 2>>"$WORK/tap.log" || { tail -20 "$WORK/tap.log" >&2; die "the tap bench failed"; }
}

gateway_config() { # file kafka-port spill-dir port
  cat >"$1" <<EOF
model_list:
  - model_name: claude-sonnet-4-5
    litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: "http://127.0.0.1:$UP_JSON", api_key: sk-bench-upstream}
  - model_name: claude-haiku-4-5
    litellm_params: {model: anthropic/claude-haiku-4-5, api_base: "http://127.0.0.1:$UP_SSE", api_key: sk-bench-upstream}
tollgate:
  host: 127.0.0.1
  port: $4
  gateway_id: bench
  kafka: {bootstrap_servers: "127.0.0.1:$2"}
  spill_dir: $3
  keys:
    - {key: sk-bench-virtual, alias: bench, customer_id: bench}
EOF
}

usage_event_counts() { # port → "published=N spilled=M" from the gateway's own metrics; "spilled" = events
  # durable in the hand-off log and not yet acknowledged by Kafka (the backlog gauge)
  curl -s -m 5 "http://127.0.0.1:$1/metrics" | awk '
    /^tollgate_usage_events_total\{/ { match($0, /outcome="[a-z]+"/); o = substr($0, RSTART + 9, RLENGTH - 10); n[o] += $NF }
    /^tollgate_handoff_backlog_records[ {]/ { b += $NF }
    /^tollgate_handoff_groups_total[ {]/ { g += $NF }
    /^tollgate_handoff_fsyncs_total[ {]/ { f += $NF }
    END { printf "published=%d spilled=%d groups=%d fsyncs=%d", n["published"], b, g, f }'
}

run_target() {
  local t="$1" pid=0 port url_json url_sse rounds=$peer_rounds rounds_after="" round_s=$peer_round_s dir="$WORK/$1" h_json=() h_sse=()
  mkdir -p "$dir"
  say "$(date -u +%T) starting $t"
  case "$t" in
    direct)
      url_json="http://127.0.0.1:$UP_JSON/v1/messages" url_sse="http://127.0.0.1:$UP_SSE/v1/messages" ;;
    nginx)
      local pj ps; pj=$(free_port); ps=$(free_port)
      cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  upstream up_json { server 127.0.0.1:$UP_JSON; keepalive 64; keepalive_requests 1000000; }
  upstream up_sse { server 127.0.0.1:$UP_SSE; keepalive 64; keepalive_requests 1000000; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  server { listen 127.0.0.1:$pj; location / { proxy_pass http://up_json; } }
  # As nginx is set up in front of SSE APIs: no response buffering.
  server { listen 127.0.0.1:$ps; location / { proxy_pass http://up_sse; proxy_buffering off; } }
}
EOF
      "${PROXY_PIN[@]}" "$NGINX" -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" >"$dir/out.log" 2>&1 &
      pid=$!; started+=("$pid")
      url_json="http://127.0.0.1:$pj/v1/messages" url_sse="http://127.0.0.1:$ps/v1/messages"
      wait_http "$url_json" "$pid" "$dir/error.log" 10 ;;
    vertx)
      # The framework floor: the gateway's Vert.x as a bare pass-through proxy (BareVertxProxy)
      local pj ps; pj=$(free_port); ps=$(free_port)
      "${PROXY_PIN[@]}" "$JAVA" "${JFLAGS[@]}" "@$ROOT/infra/gateway-jvm.options" -cp "$TOLLGATE_BENCH_CP" \
        io.tollgate.bench.peers.BareVertxProxy --listen-json "$pj" --upstream-json "$UP_JSON" \
        --listen-sse "$ps" --upstream-sse "$UP_SSE" >"$dir/out.log" 2>&1 &
      pid=$!; started+=("$pid")
      url_json="http://127.0.0.1:$pj/v1/messages" url_sse="http://127.0.0.1:$ps/v1/messages"
      # half the gateway's warm-up: far less code to compile (its warm-up lines show when it is steady)
      rounds=$(((jvm_rounds + 1) / 2)) rounds_after=$(((jvm_rounds_after + 1) / 2)) round_s=$jvm_round_s
      wait_http "$url_json" "$pid" "$dir/out.log" 30 ;;
    portkey)
      port=$(free_port)
      (cd "$PORTKEY_DIR" && NODE_ENV=production exec "${PROXY_PIN[@]}" node "$PORTKEY_JS" --port="$port" --headless) \
        >"$dir/out.log" 2>&1 &
      pid=$!; started+=("$pid")
      url_json="http://127.0.0.1:$port/v1/messages" url_sse="$url_json" rounds=$peer_rounds round_s=$((peer_round_s + 2))
      h_json=(--header-json "x-portkey-provider: anthropic" --header-json "x-portkey-custom-host: http://127.0.0.1:$UP_JSON/v1"
        --header-json "x-api-key: sk-bench-upstream")
      h_sse=(--header-sse "x-portkey-provider: anthropic" --header-sse "x-portkey-custom-host: http://127.0.0.1:$UP_SSE/v1"
        --header-sse "x-api-key: sk-bench-upstream")
      wait_http "http://127.0.0.1:$port/" "$pid" "$dir/out.log" 60 ;;
    tollgate | tollgate-spill | tollgate-base | tollgate-again | tollgate-base-again)
      # Each build with the JVM options it ships (infra/gateway-jvm.options), then TOLLGATE_BENCH_GATEWAY_OPTS
      local gw_cp="$TOLLGATE_BENCH_CP" gw_opts=("@$ROOT/infra/gateway-jvm.options")
      [[ $t == tollgate-base* ]] && gw_cp="$BASE_CP" gw_opts=("${BASE_OPTS[@]}")
      if [[ $t != tollgate-spill ]]; then
        [[ -n $kafka_pid ]] || start_kafka
        await_kafka
      else
        stop_pid "$kafka_pid" # the spill path: the same gateway config, its broker down
      fi
      port=$(free_port)
      gateway_config "$dir/tollgate.yaml" "$kafka_port" "$dir/spill" "$port"
      "${PROXY_PIN[@]}" "$JAVA" "${JFLAGS[@]}" "${gw_opts[@]}" ${TOLLGATE_BENCH_GATEWAY_OPTS:-} -cp "$gw_cp" \
        io.tollgate.ingress.Main --config "$dir/tollgate.yaml" >"$dir/out.log" 2>&1 &
      pid=$!; started+=("$pid")
      url_json="http://127.0.0.1:$port/v1/messages" url_sse="$url_json" rounds=$jvm_rounds rounds_after=$jvm_rounds_after round_s=$jvm_round_s
      h_json=(--header "x-api-key: sk-bench-virtual")
      wait_http "http://127.0.0.1:$port/health/liveliness" "$pid" "$dir/out.log" 60
      if [[ $t != tollgate-spill ]]; then
        local deadline=$((SECONDS + 60))
        until [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/readiness")" == 200 ]]; do
          ((SECONDS < deadline)) || die "gateway not ready (Kafka) within 60 s (see $dir/out.log)"
          sleep 0.2
        done
      fi ;;
    *) die "unknown target $t" ;;
  esac
  local payloads=${only_payload:-json,sse}
  if [[ $t == portkey && $payloads == *sse* ]] && ! probe_sse "$url_sse" "$dir" "${h_sse[@]}"; then
    echo "Portkey SSE: not measured; a single streaming request got HTTP $(cat "$dir/probe.code")" \
      "($(head -c 120 "$dir/probe.body")), Portkey logged \"$(LC_ALL=C grep -m1 -aio '[a-z]* *error.*' "$dir/out.log" | head -c 160)\"." >>"$NOTES"
    if [[ $payloads == sse ]]; then # --payloads sse: nothing of Portkey's left to measure
      expect=${expect/portkey:sse/}; expect=${expect/,,/,}; expect=${expect#,}; stop_pid "$pid"; return 0
    fi
    expect=${expect/portkey/portkey:json} payloads=json
  fi
  cells "$t" "$pid" "$rounds" "$round_s" "$payloads" "$url_json" "$url_sse" "${h_json[@]}" "${h_sse[@]}"
  if [[ $t == tollgate* ]]; then
    echo "EVENTS target=$t $(usage_event_counts "$port")" >>"$RESULTS"
  fi
  [[ $pid != 0 ]] && stop_pid "$pid"
  return 0
}
