# Sourced by the processor's bench scripts: builds in the reactor (never mvn install) and runs a
# main class of the processor's test sources on the test classpath, from the repository root.
# Usage: bench_main HEAP MAIN_CLASS [ARGS...]   ($BENCH_JAVA_OPTS is passed to the JVM)
bench_main() {
  local heap=$1 main=$2
  shift 2
  cd "$(dirname "${BASH_SOURCE[0]}")/../.."
  mvn -q -pl processor -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
  local cp="processor/target/test-classes:processor/target/classes:$(cat processor/target/bench-classpath.txt)"
  # the JVM flags of bin/cgaudit: the Java 17 args file and, where the kernel offers it, THP for the heap
  # shellcheck disable=SC2046
  exec java @deploy/src/main/dist/conf/jvm-java17.args $(deploy/src/main/dist/bin/thp-flag) "-Xmx$heap" \
    -Dlog4j2.configurationFile=processor/bench/log4j2-bench.xml \
    ${BENCH_JAVA_OPTS:-} -cp "$cp" "$main" "$@"
}
