#!/usr/bin/env bash
# Runs the processor benchmark: live job and replay throughput, printed as a table.
# Usage: processor/bench/run.sh [DECISIONS] [live,replay,archive | live-cold]   (default 2,000,000 and all three; from anywhere in the repository)
# Builds in the reactor (never mvn install), then runs the bench's main on the test classpath.
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
bench_main 8g dev.cgaudit.processor.bench.ProcessorBench "${1:-2000000}" "${2:-live,replay,archive}"
