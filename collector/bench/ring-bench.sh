#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The ring reader benchmark on the real kernel: builds the collector (test classes and the BPF
# producer ringbench.bpf.o), the libbpf C harness, then runs RingBench, which runs the C harness and
# the Java reader side by side per scenario and prints one table. Needs root, clang, bpftool,
# libbpf-dev and gcc (apt-get install -y clang llvm libbpf-dev bpftool gcc).
#
#   collector/bench/ring-bench.sh [reps] [drainRounds] [streamSeconds] [streamBurst]
#
# Never installs into ~/.m2: it builds from the reactor and runs from target/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
collector=$(dirname "$here")
root=$(dirname "$collector")
out=$collector/target/ringbench
mkdir -p "$out"

echo "ring-bench: building the collector's test classes and ringbench.bpf.o" >&2
# One reactor build: the classpath then names the sibling modules' target/ folders (a separate
# 'mvn dependency:build-classpath' in collector/ would need them installed in ~/.m2).
(cd "$root" && mvn -q -pl collector -am test-compile -DskipTests dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$out/classpath.txt" >/dev/null)

obj=$collector/target/test-classes/dev/cgaudit/collector/bpf/ringbench.bpf.o
[ -f "$obj" ] || { echo "ring-bench: $obj was not built (see the BPF build message above)" >&2; exit 1; }

echo "ring-bench: building the libbpf harness" >&2
bpftool gen skeleton "$obj" name ringbench_bpf > "$out/ringbench.skel.h"
gcc -O2 -Wall -I"$collector/src/bench/bpf" -I"$out" -o "$out/ringbench" "$collector/src/bench/c/ringbench.c" -lbpf -lpthread

cp="$collector/target/test-classes:$collector/target/classes:$(cat "$out/classpath.txt")"
echo "ring-bench: $(uname -r), $(nproc) cores, $(java -version 2>&1 | sed -n 1p), libbpf $(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null || echo '?')" >&2
exec java -cp "$cp" dev.cgaudit.collector.ring.bench.RingBench "$out/ringbench" "$@"
