#!/usr/bin/env bash
# Stops the Kafka broker that kafka-start.sh started from DATA_DIR. Safe to run when it is not running.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kafka-lib.sh"

usage() {
    cat <<USAGE
Usage: $(basename "$0") DATA_DIR [--timeout SECONDS]

Stops the Kafka broker started by kafka-start.sh DATA_DIR: SIGTERM (a clean shutdown, so the next
start needs no log recovery), then SIGKILL if it has not exited after --timeout seconds (default 30).
Does nothing, successfully, if it is not running. The data in DATA_DIR is kept.
Exit codes: 0 stopped or not running, 1 could not stop it, 2 usage error.
USAGE
}

parse_stop_args "$@"
[[ -d $data_dir ]] || { echo "Kafka is not running (no directory $data_dir)"; exit 0; }
data_dir=$(cd "$data_dir" && pwd)
pid_file="$data_dir/kafka.pid"

[[ -f $pid_file ]] || { echo "Kafka is not running (no $pid_file)"; exit 0; }
pid=$(<"$pid_file")
if ! process_alive "$pid"; then
    rm -f "$pid_file"
    echo "Kafka is not running (stale pid $pid removed)"
    exit 0
fi
if ! is_our_kafka "$pid" "$data_dir"; then
    rm -f "$pid_file"
    echo "Kafka is not running (pid $pid now belongs to another process; left alone, stale pid file removed)"
    exit 0
fi

stop_pid Kafka "$pid" "$timeout_s" || die 1 "Kafka (pid $pid) survived SIGKILL"
rm -f "$pid_file"
echo "Kafka stopped (pid $pid)"
