#!/usr/bin/env bash
# Writes the sorted violations of a fixed replay workload to OUT_FILE, to compare two builds:
#   processor/bench/violation-dump.sh /tmp/a.txt; (other commit) ...; cmp /tmp/a.txt /tmp/b.txt
# Usage: processor/bench/violation-dump.sh OUT_FILE [DECISIONS]   (default 200,000)
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OUT_FILE [DECISIONS]" >&2; exit 2; }
out=$(realpath -m "$1")
source "$(dirname "$0")/bench-lib.sh"
bench_main 6g dev.cgaudit.processor.bench.ViolationDump "$out" "${2:-200000}"
