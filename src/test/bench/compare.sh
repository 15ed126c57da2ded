#!/bin/bash
# Interleaved comparison of relays with the independent yardstick load generator (../shared/bench, built to
# BENCH/bin/relay-load): each round starts every server in turn on a fresh port, pinned to CPU 1, runs one
# relay-load scenario pinned to CPU 0, stops the server, and prints one line. Ratios are best taken within a round;
# the machine this was written on is shared, so rounds drift.
#
#   src/test/bench/compare.sh "SCENARIO ARGS" ROUNDS SERVER...
#   SERVER: a relay jar (run with the recommended JVM flags), jdk25:JAR (the same on Temurin 25), peerjs,
#           socketio (the yardstick's socket.io 4 room server; room scenario only), or gorelay (the minimal Go relay
#           in src/test/bench/gorelay, built here on first use: the ceiling)
#   env: BENCH (default /tmp/relay-bench), DUR (5 s measured), WU (3 s warm-up), JAVA_FLAGS, SETTLE (2 s between
#        the port opening and the run, so that the RSS baseline of connect is taken after start-up has settled)
# example:
#   src/test/bench/compare.sh "stream --pairs 10 --size 64" 3 target/websocket-relay-standalone.jar peerjs
set -u
scenario=$1; rounds=$2; shift 2
bench=${BENCH:-/tmp/relay-bench}
flags=${JAVA_FLAGS:--XX:+UseSerialGC -Xms16m -Xmn8m -Xss256k -XX:-UsePerfData -XX:TrimNativeHeapInterval=1000}
port=$((19000 + RANDOM % 500))
gorelay=${GORELAY:-/tmp/gorelay}
if [[ " $* " == *" gorelay "* && ! -x $gorelay ]]; then
  GOPATH=/usr/share/gocode GO111MODULE=off go build -o "$gorelay" "$(dirname "$0")/gorelay/main.go" || exit 1
fi
for round in $(seq 1 "$rounds"); do
  for server in "$@"; do
    port=$((port + 1)); proto=relay
    case $server in
      gorelay) cmd=("$gorelay" -addr 127.0.0.1:$port) ;;
      peerjs) cmd=(node "$bench/node/node_modules/peer/dist/bin/peerjs.js" --port $port --host 127.0.0.1
                   --concurrent_limit 100000); proto=peerjs ;;
      socketio) cmd=(env PORT=$port HOST=127.0.0.1 node "$bench/node/start-socketio.mjs"); proto=socketio ;;
      jdk25:*) cmd=(/usr/lib/jvm/temurin-25-jdk-amd64/bin/java $flags -jar "${server#jdk25:}" -i 127.0.0.1 -p $port) ;;
      *) cmd=(java $flags -jar "$server" -i 127.0.0.1 -p $port) ;;
    esac
    taskset -c 1 "${cmd[@]}" > "/tmp/compare-server-$port.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/$port) 2> /dev/null && break; sleep 0.1; done
    sleep "${SETTLE:-2}"
    # shellcheck disable=SC2086 # the scenario arguments are meant to split
    out=$(taskset -c 0 "$bench/bin/relay-load" $scenario --proto $proto --url-base ws://127.0.0.1:$port/ \
        --duration "${DUR:-5}" --warmup "${WU:-3}" --server-pid $pid --json 2> /dev/null)
    kill $pid; wait $pid 2> /dev/null
    echo "${out:-{\}}" | python3 -c "
import json, sys
d = json.loads(sys.stdin.read())
main = next((d[k] for k in ('deliveries_per_s', 'sessions_per_s', 'rt_per_s', 'msgs_per_s', 'connect_per_s')
            if d.get(k)), 0)
extra = ' '.join('%s=%s' % (k, d[k]) for k in ('msgs_sent_per_s', 'lat_p50_us', 'lat_p99_us', 'session_p50_us', 'mb_per_s',
        'server_rss_per_waiting_conn_bytes', 'server_rss_per_pair_bytes', 'server_cpu_pct', 'client_cpu_pct', 'ok')
        if k in d)
print('round $round', '$(basename "$server")'.ljust(34), d.get('scenario'), round(main), extra)"
  done
done
