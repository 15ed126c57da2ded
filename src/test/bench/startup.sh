#!/bin/bash
# Time from exec to the port accepting for the standalone relay: starts it N times (default 5) on a free loopback
# port, polls the port with bash's /dev/tcp every 10 ms (at most MAX_S seconds, default 30), prints each time in ms
# and the median, with the CPU time the relay had used by then, and stops each relay by its PID (SIGTERM, then SIGKILL
# after 10 s).
#
#   src/test/bench/startup.sh JAR [N] [-- JAVA FLAGS...]
#   env: JAVA (default java; Temurin 25 is /usr/lib/jvm/temurin-25-jdk-amd64/bin/java), MAX_S, LABEL (printed first)
# examples:
#   src/test/bench/startup.sh target/websocket-relay-standalone.jar
#   src/test/bench/startup.sh target/websocket-relay-standalone.jar 5 -- -XX:+UseSerialGC -XX:SharedArchiveFile=target/relay.jsa
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java src/test/bench/startup.sh target/websocket-relay-standalone.jar 5 \
#     -- -XX:AOTCache=target/relay.aot
set -u
if [[ $# -lt 1 ]]; then
  sed -n "2,13p" "$0" >&2
  exit 2
fi
jar=$1; shift
runs=5
if [[ $# -gt 0 && $1 != -- ]]; then runs=$1; shift; fi
if [[ $# -gt 0 && $1 == -- ]]; then shift; fi
flags=("$@")
java=${JAVA:-java}
max_ms=$(( ${MAX_S:-30} * 1000 ))
[[ -f $jar ]] || { echo "startup.sh: no such jar: $jar" >&2; exit 2; }

now_ms() { local t=$EPOCHREALTIME; echo $(( ${t%.*} * 1000 + 10#${t#*.} / 1000 )); }

# a port nobody listens on: a connection to it is refused
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    (echo > /dev/tcp/127.0.0.1/$port) 2> /dev/null || { echo $port; return 0; }
  done
  return 1
}

# CPU time (user + system, all threads) the process has used so far, in ms; on a busy machine it says more than the
# wall-clock time, which includes waiting for a core
cpu_ms() {
  local stat
  read -r stat < "/proc/$1/stat" || { echo '?'; return; }
  stat=${stat##*) }
  set -- $stat
  echo $(( (${12} + ${13}) * 1000 / $(getconf CLK_TCK) ))
}

stop() {
  local pid=$1
  kill -TERM "$pid" 2> /dev/null
  for _ in $(seq 1 1000); do
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.01
  done
  if kill -0 "$pid" 2> /dev/null; then
    echo "startup.sh: relay $pid did not stop in 10 s, killing it" >&2
    kill -KILL "$pid" 2> /dev/null
  fi
  wait "$pid" 2> /dev/null
}

times=(); cpus=()
log=$(mktemp /tmp/startup-relay.XXXXXX)
trap 'rm -f "$log"' EXIT
for i in $(seq 1 "$runs"); do
  port=$(free_port) || { echo "startup.sh: no free port" >&2; exit 1; }
  start=$(now_ms)
  "$java" "${flags[@]}" -jar "$jar" -i 127.0.0.1 -p "$port" > "$log" 2>&1 &
  pid=$!
  ms=
  while :; do
    if (echo > /dev/tcp/127.0.0.1/$port) 2> /dev/null; then ms=$(( $(now_ms) - start )); cpu=$(cpu_ms "$pid"); break; fi
    kill -0 "$pid" 2> /dev/null || break
    (( $(now_ms) - start > max_ms )) && break
    sleep 0.01
  done
  stop "$pid"
  if [[ -z $ms ]]; then
    echo "startup.sh: run $i: the relay did not listen on port $port within ${MAX_S:-30} s; its output:" >&2
    cat "$log" >&2
    exit 1
  fi
  echo "${LABEL:+$LABEL }run $i: $ms ms (cpu $cpu ms)"
  times+=("$ms"); cpus+=("$cpu")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
echo "${LABEL:+$LABEL }median of $runs: $(median "${times[@]}") ms, cpu $(median "${cpus[@]}") ms" \
  "(load average $(cut -d' ' -f1-3 /proc/loadavg))"
