#!/bin/bash
# One relay process holding N waiting connections (default 100,000), then N partners pairing with them, each pair
# exchanging a message: the yardstick's connect scenario, with the client spread over loopback source addresses
# (--src-ips auto, 20,000 connections per address). Prints the yardstick's JSON line (connect_per_s,
# server_rss_per_waiting_conn_bytes, pair_per_s, server_rss_per_pair_bytes, ok) and stops the relay by its PID.
#
# The relay needs 2N + ~100 open files and the client 2N + ~100: the script raises the soft limit of this shell (and
# so of both processes) to what is needed; the hard limit must allow it. It does not change the machine's settings.
# Ephemeral ports: each source address gives ~28,000 (net.ipv4.ip_local_port_range), hence the spread.
#
#   src/test/bench/many.sh JAR [N] [-- JAVA FLAGS...]
#   env: BENCH (default /tmp/relay-bench), JAVA (default java), SETTLE (seconds before and after connecting, default 8)
set -u
if [[ $# -lt 1 ]]; then
  sed -n "2,13p" "$0" >&2
  exit 2
fi
jar=$1; shift
n=100000
if [[ $# -gt 0 && $1 != -- ]]; then n=$1; shift; fi
if [[ $# -gt 0 && $1 == -- ]]; then shift; fi
flags=("$@")
[[ ${#flags[@]} -gt 0 ]] || flags=(-XX:+UseSerialGC -Xms16m -Xmn8m -Xss256k -XX:-UsePerfData -XX:TrimNativeHeapInterval=1000)
bench=${BENCH:-/tmp/relay-bench}
java=${JAVA:-java}
settle=${SETTLE:-8}
[[ -f $jar ]] || { echo "many.sh: no such jar: $jar" >&2; exit 2; }
[[ -x $bench/bin/relay-load ]] || { echo "many.sh: build the yardstick first: $bench/build.sh" >&2; exit 2; }

need=$((2 * n + 200))
hard=$(ulimit -Hn)
if [[ $hard != unlimited ]] && (( hard < need )); then
  echo "many.sh: $n connections need $need open files per process, but the hard limit here is $hard" \
       "(raise it, e.g. with LimitNOFILE= or ulimit -Hn as root with CAP_SYS_RESOURCE, or give a smaller N:" \
       "at most $(( (hard - 200) / 2 )) here)" >&2
  exit 2
fi
ulimit -n "$need" || exit 2

port=
for _ in $(seq 1 200); do
  candidate=$((20000 + RANDOM % 20000))
  (echo > /dev/tcp/127.0.0.1/$candidate) 2> /dev/null || { port=$candidate; break; }
done
[[ -n $port ]] || { echo "many.sh: no free port" >&2; exit 1; }
log=$(mktemp /tmp/many-relay.XXXXXX)
# the relay's own connection limit is raised to fit; everything else is the default
"$java" "${flags[@]}" -jar "$jar" -i 127.0.0.1 -p "$port" --max-connections $((2 * n + 10)) > "$log" 2>&1 &
pid=$!
trap 'kill $pid 2> /dev/null; wait $pid 2> /dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 3000); do
  (echo > /dev/tcp/127.0.0.1/$port) 2> /dev/null && break
  kill -0 $pid 2> /dev/null || { echo "many.sh: the relay exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.01
done
sleep "$settle"
"$bench/bin/relay-load" connect --url-base "ws://127.0.0.1:$port/" --connections "$n" --src-ips auto \
  --server-pid $pid --settle "$settle" --timeout 600 --json
