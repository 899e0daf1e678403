#!/usr/bin/env bash
# Starts a real single-node Kafka (KRaft: broker and controller in one process) from Maven jars,
# as its own OS process, and creates the cgaudit topics of topics.conf.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kafka-lib.sh"

usage() {
    cat <<USAGE
Usage: $(basename "$0") DATA_DIR [--port PORT] [--controller-port PORT]

Starts a single-node Kafka 4.x (KRaft, broker+controller) on 127.0.0.1 in the
background and creates the cgaudit topics listed in deploy/local/topics.conf.

  DATA_DIR                 broker data, server.properties, kafka.pid and kafka.log live here;
                           formatted on first use, reused (data kept) afterwards
  --port PORT              client listener, the bootstrap address is 127.0.0.1:PORT (default 9092)
  --controller-port PORT   KRaft controller listener (default 9093)
  -h, --help               this text

Environment:
  JAVA_HOME                the JDK to use (17 or newer); otherwise 'java' on PATH
  KAFKA_HEAP_OPTS          broker heap (default: -Xms256m -Xmx1g)
  KAFKA_START_TIMEOUT      seconds to wait for the broker to answer (default 60)
  CGAUDIT_KAFKA_CACHE      where the resolved classpath is cached (default deploy/local/.cache)

The first start resolves Kafka's jars with Maven (deploy/local/kafka-classpath/pom.xml); later
starts reuse the cached classpath and work offline. Stop with kafka-stop.sh DATA_DIR.
Exit codes: 0 running, 1 the broker failed to start, 2 usage or environment error.
USAGE
}

data_dir=""
port=9092
controller_port=9093
while (($#)); do
    case $1 in
        -h | --help) usage; exit 0 ;;
        --port) (($# >= 2)) || die 2 "--port needs a value"; port=$2; shift 2 ;;
        --controller-port) (($# >= 2)) || die 2 "--controller-port needs a value"; controller_port=$2; shift 2 ;;
        -*) usage >&2; die 2 "unknown option: $1" ;;
        *) [[ -z $data_dir ]] || die 2 "only one DATA_DIR, got '$data_dir' and '$1'"; data_dir=$1; shift ;;
    esac
done
[[ -n $data_dir ]] || { usage >&2; die 2 "DATA_DIR is required"; }
for p in "$port" "$controller_port"; do
    [[ $p =~ ^[0-9]+$ ]] && ((p >= 1 && p <= 65535)) || die 2 "not a TCP port: '$p'"
done
((port != controller_port)) || die 2 "--port and --controller-port must differ (both $port)"

require_java17
mkdir -p "$data_dir"
data_dir=$(cd "$data_dir" && pwd)
pid_file="$data_dir/kafka.pid"
log_file="$data_dir/kafka.log"
props="$data_dir/server.properties"

if [[ -f $pid_file ]]; then
    pid=$(<"$pid_file")
    if process_alive "$pid" && is_our_kafka "$pid" "$data_dir"; then
        running_port=$(sed -n 's|^advertised.listeners=PLAINTEXT://127.0.0.1:||p' "$props")
        [[ $running_port == "$port" ]] \
            || die 2 "Kafka from $data_dir is already running (pid $pid) on port $running_port, not $port; stop it first with kafka-stop.sh $data_dir"
        echo "Kafka from $data_dir is already running (pid $pid); bootstrap 127.0.0.1:$port"
        exit 0
    fi
    rm -f "$pid_file"
fi
for p in "$port" "$controller_port"; do
    if owner=$(port_owner "$p"); then
        die 2 "port $p is already in use by $owner; choose another with --port/--controller-port"
    fi
done

classpath=$(kafka_classpath)
tool_opts=(-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
    "-Dlog4j2.configurationFile=$KAFKA_LOCAL_DIR/log4j2.xml" -Dcgaudit.log.level=WARN -cp "$classpath")

# Written on every start so the ports given now apply; the data under data/ is what persists.
# Single-node sizing: one replica of everything, and thread counts for a small machine.
cat >"$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$data_dir/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
background.threads=4
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=33554432
PROPS

if [[ ! -f $data_dir/data/meta.properties ]]; then
    cluster_id=$("$JAVA" "${tool_opts[@]}" kafka.tools.StorageTool random-uuid)
    "$JAVA" "${tool_opts[@]}" kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$props" >>"$log_file" 2>&1 \
        || { tail -n 20 "$log_file" >&2; die 1 "formatting $data_dir/data failed (see $log_file)"; }
    echo "Formatted $data_dir/data (cluster id $cluster_id)"
fi

read -r -a heap_opts <<<"${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
# stdin from /dev/null and output to the log: the broker must not hold the caller's terminal or pipes.
nohup "$JAVA" "${heap_opts[@]}" -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$KAFKA_LOCAL_DIR/log4j2.xml" -cp "$classpath" \
    kafka.Kafka "$props" >>"$log_file" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pid_file"

fail_start() {
    echo "---- last lines of $log_file ----" >&2
    tail -n 40 "$log_file" >&2
    if process_alive "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pid_file"
    die 1 "$*"
}

timeout_s=${KAFKA_START_TIMEOUT:-60}
deadline=$((SECONDS + timeout_s))
until port_accepts "$port"; do
    process_alive "$pid" || fail_start "Kafka exited during startup"
    ((SECONDS < deadline)) || fail_start "Kafka did not open port $port within ${timeout_s}s"
    sleep 0.2
done

# An open port is not an answering broker: the listener binds before the broker has joined the
# quorum. Ask it for its topics, each try bounded, until it answers.
admin_conf="$data_dir/admin.properties"
printf 'request.timeout.ms=5000\ndefault.api.timeout.ms=10000\n' >"$admin_conf"
topics() {
    "$JAVA" "${tool_opts[@]}" org.apache.kafka.tools.TopicCommand \
        --bootstrap-server "127.0.0.1:$port" --command-config "$admin_conf" "$@"
}
until topics --list >/dev/null 2>>"$log_file"; do
    process_alive "$pid" || fail_start "Kafka exited during startup"
    ((SECONDS < deadline)) || fail_start "Kafka did not answer on 127.0.0.1:$port within ${timeout_s}s"
done

# Existing topics are left as they are (--if-not-exists): their data and later config changes win.
# One tool JVM per topic, started together: JVM start-up, not the broker, is what takes the time.
creations=()
while read -r name partitions configs; do
    [[ -z $name || $name == \#* ]] && continue
    config_args=()
    for c in $configs; do config_args+=(--config "$c"); done
    topics --create --if-not-exists --topic "$name" --partitions "$partitions" --replication-factor 1 \
        "${config_args[@]}" >/dev/null 2>>"$log_file" &
    creations+=("$!:$name")
done <"$KAFKA_LOCAL_DIR/topics.conf"
for creation in "${creations[@]}"; do
    wait "${creation%%:*}" || fail_start "creating topic ${creation#*:} failed (see $log_file)"
done

echo "Kafka is running (pid $pid); bootstrap 127.0.0.1:$port; log $log_file"
