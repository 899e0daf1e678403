#!/usr/bin/env bash
# The router alone on one thread (operator test harness): CPU ns per decision, printed as a table.
# Usage: processor/bench/router-bench.sh [DECISIONS] [ROUNDS]   (default 1,000,000 and 5; from anywhere in the repository)
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
bench_main 6g dev.cgaudit.processor.bench.RouterBench "${1:-1000000}" "${2:-5}"
