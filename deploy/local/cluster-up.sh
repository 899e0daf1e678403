#!/usr/bin/env bash
# The whole local cluster as separate processes: Kafka (KRaft), Flink JobManager + TaskManager, the
# processor job submitted over Flink's REST API, and the sink writing findings to a file.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kafka-lib.sh"

usage() {
    cat <<USAGE
Usage: $(basename "$0") DATA_DIR [--kafka-port PORT] [--controller-port PORT] [--rest-port PORT]
                     [--rpc-port PORT] [--slots N] [--parallelism N] [--trust DIR] [--collector SOURCE]

Starts, each as its own process and in this order:
  1. Kafka        kafka-start.sh DATA_DIR/kafka            bootstrap 127.0.0.1:KAFKA_PORT
  2. Flink        flink-start.sh DATA_DIR/flink            REST http://127.0.0.1:REST_PORT
  3. processor    cgaudit processor --flink 127.0.0.1:REST_PORT: the job is submitted to Flink;
                  waits until every task of it is RUNNING (job id in DATA_DIR/processor.jobid)
  4. sink         cgaudit sink --to file:DATA_DIR/findings.jsonl (pid DATA_DIR/sink.pid, log sink.log)
  5. collector    only with --collector: cgaudit collector --sink kafka --source SOURCE
                  (bpf needs root; a FILE plays a JSON Lines trace) (pid collector.pid, log collector.log)
Whatever already runs from DATA_DIR is left running. Stop everything with cluster-down.sh DATA_DIR.

  --kafka-port PORT        default 9092          --controller-port PORT   default 9093
  --rest-port PORT         default 8081          --rpc-port PORT          default 6123
  --slots N                TaskManager slots (default 2)
  --parallelism N          of the processor job (default 2, at most --slots)
  --trust DIR              trusted operator keys (*.pub) for policy commands (default: \$CGAUDIT_TRUST,
                           else ~/.config/cgaudit/trust, as the cgaudit commands themselves)
  --collector SOURCE       also start a collector: bpf or a trace FILE
  -h, --help               this text

Environment: CGAUDIT_LAUNCHER (default deploy/target/cgaudit/bin/cgaudit, built by
'mvn -pl deploy -am -DskipTests package'), plus those of kafka-start.sh and flink-start.sh.
Exit codes: 0 running, 1 a part failed to start (what started stays up: see cluster-down.sh),
2 usage or environment error.
USAGE
}

data_dir=""
kafka_port=9092
controller_port=9093
rest_port=8081
rpc_port=6123
slots=2
parallelism=2
trust=""
collector=""
while (($#)); do
    case $1 in
        -h | --help) usage; exit 0 ;;
        --kafka-port | --controller-port | --rest-port | --rpc-port | --slots | --parallelism | --trust | --collector)
            (($# >= 2)) || die 2 "$1 needs a value"
            opt=${1#--}
            printf -v "${opt//-/_}" '%s' "$2"
            shift 2 ;;
        -*) usage >&2; die 2 "unknown option: $1" ;;
        *) [[ -z $data_dir ]] || die 2 "only one DATA_DIR, got '$data_dir' and '$1'"; data_dir=$1; shift ;;
    esac
done
[[ -n $data_dir ]] || { usage >&2; die 2 "DATA_DIR is required"; }
[[ $parallelism =~ ^[0-9]+$ && $slots =~ ^[0-9]+$ ]] && ((parallelism >= 1 && parallelism <= slots)) \
    || die 2 "--parallelism ($parallelism) must be between 1 and --slots ($slots)"
launcher=${CGAUDIT_LAUNCHER:-$KAFKA_LOCAL_DIR/../target/cgaudit/bin/cgaudit}
[[ -x $launcher ]] || die 2 "no cgaudit launcher at $launcher: build it with 'mvn -pl deploy -am -DskipTests package' (or set CGAUDIT_LAUNCHER)"
mkdir -p "$data_dir"
data_dir=$(cd "$data_dir" && pwd)
trust_args=()
[[ -z $trust ]] || trust_args=(--trust "$trust")
bootstrap="127.0.0.1:$kafka_port"
rest="127.0.0.1:$rest_port"
started=$SECONDS

"$KAFKA_LOCAL_DIR/kafka-start.sh" "$data_dir/kafka" --port "$kafka_port" --controller-port "$controller_port"
"$KAFKA_LOCAL_DIR/flink-start.sh" "$data_dir/flink" --rest-port "$rest_port" --rpc-port "$rpc_port" --slots "$slots"

# "RUNNING" only when the job and every one of its vertices are RUNNING: before that its Kafka
# sources have not started reading.
job_running() {  # job_running JOB_ID
    local answer
    answer=$(curl -fsS --max-time 5 "http://$rest/jobs/$1" 2>/dev/null) || return 1
    grep -q '"state":"RUNNING"' <<<"$answer" || return 1
    ! grep -o '"status":"[A-Z_]*"' <<<"$answer" | grep -qv '"status":"RUNNING"'
}
job_state() {
    curl -fsS --max-time 5 "http://$rest/jobs/$1" 2>/dev/null | grep -o '"state":"[A-Z]*"' | head -n 1 | cut -d'"' -f4
}

job_file="$data_dir/processor.jobid"
job_id=""
if [[ -s $job_file ]] && [[ $(job_state "$(<"$job_file")") == RUNNING ]]; then
    job_id=$(<"$job_file")
    echo "The processor job $job_id is already running on Flink"
else
    # 'cgaudit processor --flink HOST:PORT' returns once the job is submitted; its job id is the
    # one line it prints on stdout.
    echo "Submitting the processor job to Flink at $rest ..."
    if ! "$launcher" processor --bootstrap "$bootstrap" --flink "$rest" --parallelism "$parallelism" \
        --checkpoint-dir "file://$data_dir/checkpoints" "${trust_args[@]}" \
        >"$data_dir/processor.jobid.tmp" 2>"$data_dir/processor.out" </dev/null; then
        cat "$data_dir/processor.out" >&2
        die 1 "submitting the processor job failed (see $data_dir/processor.out)"
    fi
    job_id=$(tail -n 1 "$data_dir/processor.jobid.tmp")
    rm -f "$data_dir/processor.jobid.tmp"
    [[ $job_id =~ ^[0-9a-f]{32}$ ]] || die 1 "cgaudit processor printed no job id (see $data_dir/processor.out)"
    echo "$job_id" >"$job_file"
fi
timeout_s=${CGAUDIT_JOB_TIMEOUT:-90}
deadline=$((SECONDS + timeout_s))
until job_running "$job_id"; do
    state=$(job_state "$job_id" || true)
    case $state in
        FAILED | CANCELED | FINISHED) die 1 "the processor job $job_id is $state (see $data_dir/flink/jobmanager.log and taskmanager.log)" ;;
    esac
    ((SECONDS < deadline)) || die 1 "the processor job $job_id is not RUNNING after ${timeout_s}s (state ${state:-unknown}; see $data_dir/flink/*.log)"
    sleep 0.5
done
echo "The processor job $job_id is RUNNING: http://$rest/jobs/$job_id"

# start_daemon NAME ARGS...: a cgaudit command in the background, pid in DATA_DIR/NAME.pid, unless running
start_daemon() {
    local name=$1 pid
    shift
    if [[ -f $data_dir/$name.pid ]]; then
        pid=$(<"$data_dir/$name.pid")
        if process_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-Dcgaudit.local=$data_dir "; then
            echo "The $name is already running (pid $pid)"
            return 0
        fi
    fi
    # -Dcgaudit.local=DATA_DIR only marks the process as ours for cluster-down.sh.
    CGAUDIT_JAVA_OPTS="${CGAUDIT_JAVA_OPTS:-} -Dcgaudit.local=$data_dir" \
        nohup "$launcher" "$@" >>"$data_dir/$name.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$data_dir/$name.pid"
    sleep 1
    process_alive "$pid" || { tail -n 20 "$data_dir/$name.log" >&2; die 1 "the $name exited at once (see $data_dir/$name.log)"; }
    echo "The $name is running (pid $pid); log $data_dir/$name.log"
}
start_daemon sink sink --bootstrap "$bootstrap" --to "file:$data_dir/findings.jsonl" \
    --dead-letter "$data_dir/sink-dead-letter.jsonl"
if [[ -n $collector ]]; then
    start_daemon collector collector --bootstrap "$bootstrap" --sink kafka --source "$collector" \
        --spool "$data_dir/spool" "${trust_args[@]}"
fi

echo "Local cluster up in $((SECONDS - started))s: Kafka $bootstrap, Flink http://$rest, findings in $data_dir/findings.jsonl"
