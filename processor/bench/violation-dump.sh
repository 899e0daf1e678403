#!/usr/bin/env bash
# Writes the sorted violations of a fixed replay workload to OUT_FILE, to compare two builds:
#   processor/bench/violation-dump.sh /tmp/a.txt; (other commit) ...; cmp /tmp/a.txt /tmp/b.txt
# Usage: processor/bench/violation-dump.sh OUT_FILE [DECISIONS]   (default 200,000)
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OUT_FILE [DECISIONS]" >&2; exit 2; }
out=$(realpath -m "$1")
cd "$(dirname "$0")/../.."
mvn -q -pl processor -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
cp="processor/target/test-classes:processor/target/classes:$(cat processor/target/bench-classpath.txt)"
exec java @deploy/src/main/dist/conf/jvm-java17.args -Xmx6g \
  -Dlog4j2.configurationFile=processor/bench/log4j2-bench.xml \
  -cp "$cp" dev.cgaudit.processor.bench.ViolationDump "$out" "${2:-200000}"
