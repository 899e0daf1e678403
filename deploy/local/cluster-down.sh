#!/usr/bin/env bash
# Stops what cluster-up.sh started from DATA_DIR, in reverse order: collector, sink, the processor
# job, Flink, Kafka. Safe to run when some or all of it is not running.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kafka-lib.sh"

usage() {
    cat <<USAGE
Usage: $(basename "$0") DATA_DIR [--timeout SECONDS]

Stops, in this order: the collector and the sink (SIGTERM, then SIGKILL after --timeout seconds,
default 30), the processor job (cancelled over Flink's REST API, bounded by the same timeout),
Flink (flink-stop.sh DATA_DIR/flink) and Kafka (kafka-stop.sh DATA_DIR/kafka). Data is kept.
Exit codes: 0 all stopped or not running, 1 something could not be stopped, 2 usage error.
USAGE
}

parse_stop_args "$@"
[[ -d $data_dir ]] || { echo "Nothing is running (no directory $data_dir)"; exit 0; }
data_dir=$(cd "$data_dir" && pwd)
rc=0

for name in collector sink; do
    pid_file="$data_dir/$name.pid"
    [[ -f $pid_file ]] || continue
    pid=$(<"$pid_file")
    if process_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-Dcgaudit.local=$data_dir "; then
        if stop_pid "The $name" "$pid" "$timeout_s"; then
            echo "The $name stopped (pid $pid)"
        else
            echo "$(basename "$0"): the $name (pid $pid) survived SIGKILL" >&2
            rc=1
            continue
        fi
    fi
    rm -f "$pid_file"
done

# Cancel the job before its cluster goes, so its end is recorded as CANCELED, not as a failure.
job_file="$data_dir/processor.jobid"
rest_port=$(sed -n 's/^rest.port: //p' "$data_dir/flink/conf/config.yaml" 2>/dev/null || true)
if [[ -s $job_file && -n $rest_port ]]; then
    job_id=$(<"$job_file")
    url="http://127.0.0.1:$rest_port/jobs/$job_id"
    if curl -fsS --max-time 5 -X PATCH "$url?mode=cancel" >/dev/null 2>&1; then
        deadline=$((SECONDS + timeout_s))
        until curl -fsS --max-time 5 "$url" 2>/dev/null | grep -q '"state":"\(CANCELED\|FAILED\|FINISHED\)"'; do
            ((SECONDS < deadline)) || { echo "The processor job $job_id did not finish cancelling within ${timeout_s}s" >&2; break; }
            sleep 0.5
        done
        echo "The processor job $job_id is cancelled"
    fi
    rm -f "$job_file"
fi

"$KAFKA_LOCAL_DIR/flink-stop.sh" "$data_dir/flink" --timeout "$timeout_s" || rc=1
"$KAFKA_LOCAL_DIR/kafka-stop.sh" "$data_dir/kafka" --timeout "$timeout_s" || rc=1
exit $rc
