#!/usr/bin/env bash
# Stops the Flink cluster (TaskManager, then JobManager) that flink-start.sh started from DATA_DIR.
# Safe to run when it is not running.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kafka-lib.sh"

usage() {
    cat <<USAGE
Usage: $(basename "$0") DATA_DIR [--timeout SECONDS]

Stops the TaskManager and then the JobManager started by flink-start.sh DATA_DIR: SIGTERM, then
SIGKILL if a process has not exited after --timeout seconds (default 30). Running jobs are not
cancelled first: they end with the cluster. Does nothing, successfully, if it is not running.
Exit codes: 0 stopped or not running, 1 could not stop it, 2 usage error.
USAGE
}

parse_stop_args "$@"
[[ -d $data_dir ]] || { echo "Flink is not running (no directory $data_dir)"; exit 0; }
data_dir=$(cd "$data_dir" && pwd)
conf_dir="$data_dir/conf"

rc=0
for name in taskmanager jobmanager; do
    pid_file="$data_dir/$name.pid"
    [[ -f $pid_file ]] || { echo "Flink $name is not running (no $pid_file)"; continue; }
    pid=$(<"$pid_file")
    if ! process_alive "$pid"; then
        echo "Flink $name is not running (stale pid $pid removed)"
    elif ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--configDir $conf_dir "; then
        echo "Flink $name is not running (pid $pid now belongs to another process; left alone, stale pid file removed)"
    elif stop_pid "Flink $name" "$pid" "$timeout_s"; then
        echo "Flink $name stopped (pid $pid)"
    else
        echo "$(basename "$0"): Flink $name (pid $pid) survived SIGKILL" >&2
        rc=1
        continue
    fi
    rm -f "$pid_file"
done
exit $rc
