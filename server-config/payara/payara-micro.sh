#!/bin/sh
# Starts Payara Micro with the relay at ws://HOST:8080/<id> (the WAR's glassfish-web.xml sets the context root /).
# Usage: server-config/payara/payara-micro.sh PAYARA_MICRO_JAR WAR [more Payara Micro options]
# --nocluster: a relay instance has no state to share, so it joins no Hazelcast cluster (no multicast).
set -eu
micro=$1
war=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
exec java -jar "$micro" --nocluster --port "${RELAY_PORT:-8080}" \
  --systemproperties "$here/relay.properties" --deploy "$war" "$@"
