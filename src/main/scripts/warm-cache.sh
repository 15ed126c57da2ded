#!/bin/bash
# Builds the standalone relay's start-up cache from a short training run, for the JDK that will run the relay:
#   JDK 25 or later: an AOT cache (JEP 483/514/515: classes loaded and linked, method profiles), written with
#                    -XX:AOTCacheOutput=OUT (default target/relay.aot); start with -XX:AOTCache=OUT
#   JDK 17 to 24:    a dynamic AppCDS archive, written with -XX:ArchiveClassesAtExit=OUT (default target/relay.jsa);
#                    start with -XX:SharedArchiveFile=OUT
# The training run starts the relay on a free loopback port with the given JVM flags, asks /health once, drives it
# with the jar's own load tool (connect, then churn for a few seconds), and stops it with SIGTERM: the JVM writes
# the cache as it exits. A cache only works with the same JDK and the same jar (the JVM checks both and runs
# without the cache, with a warning, when they differ); build it again after every build of the jar.
#
#   src/main/scripts/warm-cache.sh JAR [OUT] [-- JAVA FLAGS...]
#   env: JAVA (default java), TRAIN_S (seconds of churn, default 4)
# examples:
#   src/main/scripts/warm-cache.sh target/websocket-relay-standalone.jar -- -XX:+UseSerialGC -Xms16m -Xmn8m -Xss256k
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java src/main/scripts/warm-cache.sh target/websocket-relay-standalone.jar
set -u
if [[ $# -lt 1 ]]; then
  sed -n "2,16p" "$0" >&2
  exit 2
fi
jar=$1; shift
out=
if [[ $# -gt 0 && $1 != -- ]]; then out=$1; shift; fi
if [[ $# -gt 0 && $1 == -- ]]; then shift; fi
flags=("$@")
java=${JAVA:-java}
[[ -f $jar ]] || { echo "warm-cache.sh: no such jar: $jar" >&2; exit 2; }

major=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
[[ $major =~ ^[0-9]+$ ]] || { echo "warm-cache.sh: cannot tell the version of $java" >&2; exit 2; }
if (( major >= 25 )); then
  out=${out:-$(dirname "$jar")/relay.aot}
  record=(-XX:AOTCacheOutput="$out")
  use="-XX:AOTCache=$out"
else
  out=${out:-$(dirname "$jar")/relay.jsa}
  record=(-XX:ArchiveClassesAtExit="$out")
  use="-XX:SharedArchiveFile=$out"
fi
rm -f "$out"

port=
for _ in $(seq 1 200); do
  candidate=$((20000 + RANDOM % 20000))
  (echo > /dev/tcp/127.0.0.1/$candidate) 2> /dev/null || { port=$candidate; break; }
done
[[ -n $port ]] || { echo "warm-cache.sh: no free port" >&2; exit 1; }

log=$(mktemp /tmp/warm-cache.XXXXXX)
trap 'rm -f "$log"' EXIT
"$java" "${flags[@]}" "${record[@]}" -jar "$jar" -i 127.0.0.1 -p "$port" > "$log" 2>&1 &
pid=$!
up=
for _ in $(seq 1 6000); do
  if (echo > /dev/tcp/127.0.0.1/$port) 2> /dev/null; then up=1; break; fi
  kill -0 "$pid" 2> /dev/null || break
  sleep 0.01
done
if [[ -z $up ]]; then
  echo "warm-cache.sh: the training relay did not listen on port $port; its output:" >&2
  cat "$log" >&2
  kill -TERM "$pid" 2> /dev/null; wait "$pid" 2> /dev/null
  exit 1
fi

failed=
# the HTTP pages: one request for /health
exec 3<> "/dev/tcp/127.0.0.1/$port" && printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 \
  && timeout 10 cat <&3 > /dev/null
exec 3>&-
load=("$java" -cp "$jar" io.websocketrelay.load.LoadTool)
url=ws://127.0.0.1:$port/
"${load[@]}" connect --url "$url" --connections 200 --timeout 60 || failed="connect"
"${load[@]}" churn --url "$url" --pairs 10 --messages 10 --warmup 0 --duration "${TRAIN_S:-4}" --timeout 60 \
  || failed="${failed:+$failed, }churn"

kill -TERM "$pid"
# writing an AOT cache runs a second JVM after the training run exits: give it time
for _ in $(seq 1 18000); do
  kill -0 "$pid" 2> /dev/null || break
  sleep 0.01
done
if kill -0 "$pid" 2> /dev/null; then
  echo "warm-cache.sh: the training relay did not exit in 180 s, killing it" >&2
  kill -KILL "$pid"
fi
wait "$pid" 2> /dev/null
if [[ -n $failed ]]; then
  echo "warm-cache.sh: the load tool failed in the training run ($failed)" >&2
  exit 1
fi
if [[ ! -s $out ]]; then
  echo "warm-cache.sh: no cache written to $out; the relay's output:" >&2
  cat "$log" >&2
  exit 1
fi
echo "warm-cache.sh: wrote $out ($(du -h "$out" | cut -f1)) for $("$java" -version 2>&1 | head -1)"
echo "start the relay with: $java ${flags[*]}${flags[*]:+ }$use -jar $jar"
