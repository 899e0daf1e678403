#!/usr/bin/env bash
# Starts a real Flink 2.x standalone session cluster from Maven jars: a JobManager
# (StandaloneSessionClusterEntrypoint) and one TaskManager (TaskManagerRunner), each its own OS process.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kafka-lib.sh"

usage() {
    cat <<USAGE
Usage: $(basename "$0") DATA_DIR [--rest-port PORT] [--rpc-port PORT] [--slots N]

Starts a Flink standalone session cluster on 127.0.0.1 in the background: one JobManager and one
TaskManager, and waits until the REST API reports the TaskManager and its free slots.
Submit jobs to 127.0.0.1:REST_PORT, e.g. cgaudit processor --flink 127.0.0.1:8081.

  DATA_DIR            conf/ (generated config.yaml and log4j.properties), jobmanager.pid,
                      taskmanager.pid, the logs (*.log, *.out) and tmp/ live here
  --rest-port PORT    REST API and job submission (default 8081)
  --rpc-port PORT     JobManager RPC (default 6123); the TaskManager's own ports are picked free
  --slots N           task slots of the TaskManager (default 2)
  -h, --help          this text

Environment:
  JAVA_HOME                the JDK to use (17 or newer); otherwise 'java' on PATH
  FLINK_JM_MEMORY          jobmanager.memory.process.size (default 768m)
  FLINK_TM_MEMORY          taskmanager.memory.process.size (default 1536m)
  FLINK_START_TIMEOUT      seconds to wait for the TaskManager to register (default 90)
  CGAUDIT_FLINK_CACHE      where the resolved classpath is cached (default deploy/local/.cache)

The first start resolves Flink's jars with Maven (deploy/local/flink-classpath/pom.xml); later starts
reuse the cached classpath and work offline. Stop with flink-stop.sh DATA_DIR.
Exit codes: 0 running, 1 the cluster failed to start, 2 usage or environment error.
USAGE
}

data_dir=""
rest_port=8081
rpc_port=6123
slots=2
while (($#)); do
    case $1 in
        -h | --help) usage; exit 0 ;;
        --rest-port) (($# >= 2)) || die 2 "--rest-port needs a value"; rest_port=$2; shift 2 ;;
        --rpc-port) (($# >= 2)) || die 2 "--rpc-port needs a value"; rpc_port=$2; shift 2 ;;
        --slots) (($# >= 2)) || die 2 "--slots needs a value"; slots=$2; shift 2 ;;
        -*) usage >&2; die 2 "unknown option: $1" ;;
        *) [[ -z $data_dir ]] || die 2 "only one DATA_DIR, got '$data_dir' and '$1'"; data_dir=$1; shift ;;
    esac
done
[[ -n $data_dir ]] || { usage >&2; die 2 "DATA_DIR is required"; }
for p in "$rest_port" "$rpc_port"; do
    [[ $p =~ ^[0-9]+$ ]] && ((p >= 1 && p <= 65535)) || die 2 "not a TCP port: '$p'"
done
((rest_port != rpc_port)) || die 2 "--rest-port and --rpc-port must differ (both $rest_port)"
[[ $slots =~ ^[0-9]+$ ]] && ((slots >= 1)) || die 2 "--slots must be a whole number of at least 1, got '$slots'"
command -v curl >/dev/null 2>&1 || die 2 "curl not found: it is needed to ask Flink's REST API (Debian: apt-get install curl)"

require_java17
jvm_args="$KAFKA_LOCAL_DIR/../src/main/dist/conf/jvm-java17.args"
[[ -f $jvm_args ]] || die 2 "$jvm_args is missing (the Java 17 flags Flink needs)"
# the heap on transparent huge pages where the kernel offers them, as bin/cgaudit does
thp=$("$KAFKA_LOCAL_DIR/../src/main/dist/bin/thp-flag")
mkdir -p "$data_dir"
data_dir=$(cd "$data_dir" && pwd)
conf_dir="$data_dir/conf"
jm_pid_file="$data_dir/jobmanager.pid"
tm_pid_file="$data_dir/taskmanager.pid"

# True if PID is a Flink process (JobManager or TaskManager) started with DATA_DIR's config.
is_our_flink() {
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "--configDir $conf_dir "
}
running_pid() {  # running_pid PID_FILE: the pid if it is one of ours and alive
    local pid
    [[ -f $1 ]] || return 1
    pid=$(<"$1")
    process_alive "$pid" && is_our_flink "$pid" && echo "$pid"
}

if jm_pid=$(running_pid "$jm_pid_file"); then
    running_rest=$(sed -n 's/^rest.port: //p' "$conf_dir/config.yaml")
    [[ $running_rest == "$rest_port" ]] \
        || die 2 "Flink from $data_dir is already running (JobManager pid $jm_pid) with REST port $running_rest, not $rest_port; stop it first with flink-stop.sh $data_dir"
    running_pid "$tm_pid_file" >/dev/null \
        || die 1 "the JobManager from $data_dir runs (pid $jm_pid) but its TaskManager does not; restart with flink-stop.sh $data_dir, then flink-start.sh"
    echo "Flink from $data_dir is already running (JobManager pid $jm_pid); REST http://127.0.0.1:$rest_port"
    exit 0
fi
rm -f "$jm_pid_file"
"$KAFKA_LOCAL_DIR/flink-stop.sh" "$data_dir" >/dev/null  # a TaskManager left behind by a dead JobManager
for p in "$rest_port" "$rpc_port"; do
    if owner=$(port_owner "$p"); then
        die 2 "port $p is already in use by $owner; choose another with --rest-port/--rpc-port"
    fi
done

classpath=$(cached_classpath flink "$KAFKA_LOCAL_DIR/flink-classpath/pom.xml" "${CGAUDIT_FLINK_CACHE:-$KAFKA_LOCAL_DIR/.cache}")

# Written on every start so the ports and sizes given now apply. Everything binds to 127.0.0.1;
# the TaskManager's RPC, data and the blob server ports are left to the OS (0 = any free port).
mkdir -p "$conf_dir" "$data_dir/tmp"
cat >"$conf_dir/config.yaml" <<CONF
# Generated by flink-start.sh on every start; edits are overwritten.
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $rpc_port
jobmanager.bind-host: 127.0.0.1
jobmanager.memory.process.size: ${FLINK_JM_MEMORY:-768m}
jobmanager.execution.failover-strategy: region
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.memory.process.size: ${FLINK_TM_MEMORY:-1536m}
taskmanager.numberOfTaskSlots: $slots
parallelism.default: 1
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $rest_port
io.tmp.dirs: $data_dir/tmp
CONF
cat >"$conf_dir/log4j.properties" <<'LOG4J'
# Generated by flink-start.sh. Each process logs to the file in -Dlog.file.
monitorInterval = 0
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
appender.main.name = MainAppender
appender.main.type = File
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
logger.pekko.name = org.apache.pekko
logger.pekko.level = INFO
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
logger.netty.name = org.apache.flink.shaded.netty4.io.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF
LOG4J

# Flink's own scripts derive each process's JVM sizes (-Xmx, -XX:MaxDirectMemorySize, ...) and the
# matching fine-grained memory settings from config.yaml with BashJavaUtils; so do we. Its last two
# BASH_JAVA_UTILS_EXEC_RESULT lines are the JVM options and the -D dynamic properties.
resource_params() {  # resource_params GET_JM_RESOURCE_PARAMS|GET_TM_RESOURCE_PARAMS
    local out
    out=$("$JAVA" -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "-Dlog4j2.configurationFile=$KAFKA_LOCAL_DIR/log4j2.xml" \
        -Dcgaudit.log.level=WARN -cp "$classpath" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$conf_dir" 2>&1) \
        || { echo "$out" >&2; die 2 "Flink rejected the memory settings in $conf_dir/config.yaml (FLINK_JM_MEMORY/FLINK_TM_MEMORY?)"; }
    out=$(grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"$out" | tail -n 2 | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')
    [[ $(wc -l <<<"$out") -eq 2 ]] || die 1 "unexpected output of BashJavaUtils $1: $out"
    echo "$out"
}
{ read -r jm_jvm; read -r jm_dynamic; } < <(resource_params GET_JM_RESOURCE_PARAMS)
{ read -r tm_jvm; read -r tm_dynamic; } < <(resource_params GET_TM_RESOURCE_PARAMS)

start_process() {  # start_process NAME MAIN_CLASS JVM_OPTS DYNAMIC_PROPERTIES: prints the pid
    local name=$1 main=$2 jvm dynamic
    read -r -a jvm <<<"$3"
    read -r -a dynamic <<<"$4"
    # stdin from /dev/null, stdout/stderr to NAME.out: the process must not hold the caller's terminal or pipes.
    nohup "$JAVA" "@$jvm_args" ${thp:+"$thp"} "${jvm[@]}" -XX:+UseG1GC -Djava.awt.headless=true \
        "-Dlog.file=$data_dir/$name.log" "-Dlog4j.configurationFile=$conf_dir/log4j.properties" \
        -cp "$classpath" "$main" --configDir "$conf_dir" "${dynamic[@]}" \
        >>"$data_dir/$name.out" 2>&1 </dev/null &
    echo $!
}

jm_pid=$(start_process jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "$jm_jvm" "$jm_dynamic")
echo "$jm_pid" >"$jm_pid_file"
tm_pid=$(start_process taskmanager org.apache.flink.runtime.taskexecutor.TaskManagerRunner "$tm_jvm" "$tm_dynamic")
echo "$tm_pid" >"$tm_pid_file"

fail_start() {
    local name
    for name in jobmanager taskmanager; do
        for f in "$data_dir/$name.log" "$data_dir/$name.out"; do
            [[ -s $f ]] || continue
            echo "---- last lines of $f ----" >&2
            tail -n 30 "$f" >&2
        done
    done
    for pid in "$tm_pid" "$jm_pid"; do
        process_alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
    done
    rm -f "$jm_pid_file" "$tm_pid_file"
    die 1 "$*"
}

# Ready = the REST API answers and counts one TaskManager with all its slots free.
overview_field() {  # overview_field JSON NAME: a number field of GET /overview
    sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" <<<"$1"
}
timeout_s=${FLINK_START_TIMEOUT:-90}
deadline=$((SECONDS + timeout_s))
while :; do
    process_alive "$jm_pid" || fail_start "the JobManager exited during startup"
    process_alive "$tm_pid" || fail_start "the TaskManager exited during startup"
    overview=$(curl -fsS --max-time 5 "http://127.0.0.1:$rest_port/overview" 2>/dev/null) || overview=""
    if [[ -n $overview ]]; then
        tms=$(overview_field "$overview" taskmanagers)
        free=$(overview_field "$overview" slots-available)
        [[ ${tms:-0} -ge 1 && ${free:-0} -ge $slots ]] && break
    fi
    ((SECONDS < deadline)) || fail_start "no TaskManager with $slots free slots at http://127.0.0.1:$rest_port/overview within ${timeout_s}s (last answer: ${overview:-none})"
    sleep 0.5
done

echo "Flink is running (JobManager pid $jm_pid, TaskManager pid $tm_pid, $slots slots); REST http://127.0.0.1:$rest_port; logs $data_dir/{jobmanager,taskmanager}.log"
