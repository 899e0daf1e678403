#!/usr/bin/env bash
# Runs the processor benchmark: live job and replay throughput, printed as a table.
# Usage: processor/bench/run.sh [DECISIONS]   (default 2,000,000; from anywhere in the repository)
# Builds in the reactor (never mvn install), then runs the bench's main on the test classpath.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -pl processor -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
cp="processor/target/test-classes:processor/target/classes:$(cat processor/target/bench-classpath.txt)"
exec java @deploy/src/main/dist/conf/jvm-java17.args -Xmx8g \
  -Dlog4j2.configurationFile=processor/bench/log4j2-bench.xml \
  ${BENCH_JAVA_OPTS:-} -cp "$cp" dev.cgaudit.processor.bench.ProcessorBench "${1:-2000000}" "${2:-live,replay}"
