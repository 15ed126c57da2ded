#!/bin/bash
# Interleaved rounds of the yardstick (../shared/bench, built to BENCH/bin/relay-load) against a relay of one node and
# of two nodes on one Redis. Each round runs every setup in turn with fresh processes: the relays and redis-server
# pinned to CPU 1, relay-load to CPU 0; one line per run.
#
#   src/test/bench/cluster.sh "SCENARIO ARGS" ROUNDS SETUP...
#   SETUP: single      one node, no Redis
#          redis-local one node with Redis, every pair on it (the cost of having Redis configured)
#          same-node   two nodes on Redis, both sides of every pair on the first
#          cross-node  two nodes on Redis, side b of every pair (and every odd room member) on the second
#   env: BENCH (default /tmp/relay-bench), JAR (default target/websocket-relay-standalone.jar), DUR (5 s measured),
#        WU (3 s warm-up), JAVA_FLAGS
# Warm up for 20 s or more (WU=20): with two JVMs and Redis on one core the JIT takes 30-60 s of load to settle.
# example:
#   WU=20 src/test/bench/cluster.sh "stream --pairs 10 --size 64" 3 same-node cross-node
set -u
scenario=$1; rounds=$2; shift 2
bench=${BENCH:-/tmp/relay-bench}
jar=${JAR:-target/websocket-relay-standalone.jar}
flags=${JAVA_FLAGS:--XX:+UseSerialGC -Xms16m -Xmn8m -Xss256k -XX:-UsePerfData -XX:TrimNativeHeapInterval=1000}
port=$((21000 + RANDOM % 500))
work=$(mktemp -d /tmp/cluster-bench.XXXXXX)

wait_port() {
  for _ in $(seq 1 150); do (echo > /dev/tcp/127.0.0.1/"$1") 2> /dev/null && return 0; sleep 0.1; done
  return 1
}

node() { # node PORT [REDIS_URL]: starts a relay node on CPU 1, prints its pid
  local extra=()
  [ -n "${2:-}" ] && extra=(--redis "$2")
  taskset -c 1 java $flags -jar "$jar" -i 127.0.0.1 -p "$1" "${extra[@]}" > "$work/node-$1.log" 2>&1 &
  echo $!
}

for round in $(seq 1 "$rounds"); do
  for setup in "$@"; do
    pids=(); redis_url=""
    if [ "$setup" != single ]; then
      port=$((port + 1)); rport=$port
      taskset -c 1 redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
          --dir "$work" > "$work/redis-$rport.log" 2>&1 &
      redis_pid=$!
      wait_port "$rport"
      redis_url=redis://127.0.0.1:$rport
    fi
    port=$((port + 1)); p1=$port
    pid1=$(node "$p1" "$redis_url"); pids+=("$pid1")
    url2=()
    if [ "$setup" = same-node ] || [ "$setup" = cross-node ]; then
      port=$((port + 1)); p2=$port
      pids+=("$(node "$p2" "$redis_url")")
      wait_port "$p2"
      [ "$setup" = cross-node ] && url2=(--url-base2 "ws://127.0.0.1:$p2/")
    fi
    wait_port "$p1"
    sleep 2
    # shellcheck disable=SC2086 # the scenario arguments are meant to split
    out=$(taskset -c 0 "$bench/bin/relay-load" $scenario --url-base "ws://127.0.0.1:$p1/" "${url2[@]}" \
        --duration "${DUR:-5}" --warmup "${WU:-3}" --server-pid "$pid1" --json 2> /dev/null)
    redis_calls=""
    if [ -n "$redis_url" ]; then # commands per type during the whole run (warm-up and drain included)
      redis_calls=$(redis-cli -p "$rport" info commandstats 2> /dev/null \
          | sed -n 's/^cmdstat_\([a-z]*\):calls=\([0-9]*\),.*/\1:\2/p' | tr '\n' ',')
    fi
    for pid in "${pids[@]}"; do kill "$pid"; wait "$pid" 2> /dev/null; done
    redis_mem=""
    if [ -n "$redis_url" ]; then
      redis_mem=$(redis-cli -p "$rport" info memory 2> /dev/null | sed -n 's/^used_memory:\([0-9]*\).*/\1/p')
      kill "$redis_pid"; wait "$redis_pid" 2> /dev/null
    fi
    echo "${out:-{\}}" | python3 -c "
import json, sys
d = json.loads(sys.stdin.read())
main = next((d[k] for k in ('deliveries_per_s', 'sessions_per_s', 'rt_per_s', 'msgs_per_s', 'connect_per_s')
            if d.get(k)), 0)
extra = ' '.join('%s=%s' % (k, d[k]) for k in ('lat_p50_us', 'lat_p99_us', 'mb_per_s', 'intact_in_order', 'lost',
        'err_lost', 'err_out_of_order', 'err_duplicated', 'received_total', 'sessions_total', 'server_cpu_pct',
        'client_cpu_pct', 'ok') if k in d)
print('round $round', '$setup'.ljust(12), d.get('scenario'), round(main), extra, 'redis_used_memory=$redis_mem',
      'redis_calls=$redis_calls')"
  done
done
rm -rf "$work"
