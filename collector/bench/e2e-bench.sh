#!/usr/bin/env bash
# Collector end to end vs kafka-producer-perf-test, side by side on one local broker process.
# Usage: collector/bench/e2e-bench.sh [RECORDS] [ROUNDS]      (from the repository root)
# The broker listens on 127.0.0.1:$CGAUDIT_BENCH_PORT (default 19092) and the next port (controller);
# set it when 19092 is taken (e.g. by another engineer's bench).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
records=${1:-1000000}
rounds=${2:-3}
data=$(mktemp -d /tmp/cgaudit-bench-kafka.XXXXXX)
port=${CGAUDIT_BENCH_PORT:-19092}
trap '"$root/deploy/local/kafka-stop.sh" "$data" >/dev/null 2>&1 || true; rm -rf "$data"' EXIT

cd "$root"
mvn -q -pl collector -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$root/collector/target/bench.cp" -Dmdep.includeScope=test >/dev/null
"$root/deploy/local/kafka-start.sh" "$data" --port "$port" --controller-port $((port + 1)) >/dev/null
java -Xmx2g -cp "collector/target/test-classes:collector/target/classes:$(cat collector/target/bench.cp)" \
    dev.cgaudit.collector.bench.CollectorE2EBench "127.0.0.1:$port" "$records" "$rounds"
