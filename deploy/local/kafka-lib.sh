# Shared by the deploy/local scripts (kafka-*, flink-*, cluster-*); sourced, not run.
# Exit codes: 2 for usage and environment errors the user must fix, 1 for a broker that failed.

KAFKA_LOCAL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

die() {  # die CODE MESSAGE...
    local code=$1
    shift
    printf '%s: %s\n' "$(basename "$0")" "$*" >&2
    exit "$code"
}

require_java17() {
    command -v "$JAVA" >/dev/null 2>&1 \
        || die 2 "java not found (looked for '$JAVA'): install a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME"
    local spec major
    spec=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    major=${spec#1.}
    major=${major%%.*}
    [[ $major =~ ^[0-9]+$ ]] || die 2 "could not tell the version of '$JAVA' (java.specification.version='$spec')"
    ((major >= 17)) || die 2 "'$JAVA' is Java $spec; Kafka 4 and Flink 2 need Java 17 or newer: install openjdk-17-jdk-headless or point JAVA_HOME at a JDK 17+"
}

# True while PID is a live process; a zombie (exited, not yet reaped: PID 1 here may never reap
# orphans) counts as gone, since it holds no ports or files.
process_alive() {
    local pid=$1 state
    [[ -r /proc/$pid/stat ]] || return 1
    state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1) || return 1
    [[ -n $state && $state != Z && $state != X ]]
}

# True if PID is the broker started from DATA_DIR, so a recycled pid is never signalled.
is_our_kafka() {
    local pid=$1 data_dir=$2
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $data_dir/server.properties"
}

# The process listening on TCP PORT (any address), as "name pid N", or "" if none/unknown.
port_owner() {
    local port=$1 line
    if command -v ss >/dev/null 2>&1; then
        line=$(ss -Hltnp "sport = :$port" 2>/dev/null | sed -n 1p)
        if [[ -n $line ]]; then
            if [[ $line =~ users:\(\(\"([^\"]+)\",pid=([0-9]+) ]]; then
                echo "${BASH_REMATCH[1]} pid ${BASH_REMATCH[2]}"
            else
                echo "an unknown process"
            fi
            return 0
        fi
        return 1
    elif command -v lsof >/dev/null 2>&1; then
        line=$(lsof -nP -iTCP:"$port" -sTCP:LISTEN -Fcp 2>/dev/null | tr '\n' ' ')
        [[ -n $line ]] || return 1
        [[ $line =~ p([0-9]+)\ c([^ ]+) ]] && echo "${BASH_REMATCH[2]} pid ${BASH_REMATCH[1]}" || echo "an unknown process"
        return 0
    else
        # Neither tool: a connect only sees listeners on loopback or any address, which is what
        # would clash with our 127.0.0.1 listener anyway.
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || return 1
        echo "an unknown process (install iproute2 for its name)"
    fi
}

port_accepts() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints the broker's classpath, resolving it with Maven the first time (or when a pom changed)
# and reusing the cached file afterwards, so later starts work offline.
kafka_classpath() {
    cached_classpath kafka "$KAFKA_LOCAL_DIR/kafka-classpath/pom.xml" "${CGAUDIT_KAFKA_CACHE:-$KAFKA_LOCAL_DIR/.cache}"
}

# cached_classpath NAME POM CACHE_DIR: the runtime classpath of POM (a pom whose parent is the root
# pom), resolved once with Maven's dependency:build-classpath and cached in
# CACHE_DIR/NAME-classpath-KEY.txt, KEY a checksum of POM and the root pom; a cache naming a jar
# that is gone is resolved again.
cached_classpath() {
    local name=$1 pom=$2 cache_dir=$3
    local root_pom="$KAFKA_LOCAL_DIR/../../pom.xml"
    local key cache tmp jar ok=1
    key=$(cat "$pom" "$root_pom" | cksum | cut -d' ' -f1)
    cache="$cache_dir/$name-classpath-$key.txt"
    if [[ -s $cache ]]; then
        IFS=: read -r -a jars <"$cache"
        for jar in "${jars[@]}"; do
            [[ -f $jar ]] || { ok=0; break; }
        done
        if ((ok)); then
            cat "$cache"
            return 0
        fi
    fi
    command -v mvn >/dev/null 2>&1 \
        || die 2 "mvn not found: Maven 3.8+ is needed once to fetch the $name jars (Debian: apt-get install maven)"
    mkdir -p "$cache_dir"
    tmp=$(mktemp "$cache_dir/.classpath.XXXXXX")
    echo "Resolving the $name classpath with Maven (once) ..." >&2
    if ! mvn -q -B -Dstyle.color=never -f "$pom" dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile="$tmp" >&2; then
        rm -f "$tmp"
        die 1 "Maven could not resolve $pom (offline and not in ~/.m2 yet?)"
    fi
    mv -f "$tmp" "$cache"
    cat "$cache"
}

# parse_stop_args "$@": the arguments of every script that stops something, DATA_DIR [--timeout
# SECONDS]. Sets data_dir and timeout_s (default 30); -h prints the caller's usage and exits 0, a
# usage error prints it to stderr and exits 2.
parse_stop_args() {
    data_dir=""
    timeout_s=30
    while (($#)); do
        case $1 in
            -h | --help) usage; exit 0 ;;
            --timeout) (($# >= 2)) || die 2 "--timeout needs a value"; timeout_s=$2; shift 2 ;;
            -*) usage >&2; die 2 "unknown option: $1" ;;
            *) [[ -z $data_dir ]] || die 2 "only one DATA_DIR, got '$data_dir' and '$1'"; data_dir=$1; shift ;;
        esac
    done
    [[ -n $data_dir ]] || { usage >&2; die 2 "DATA_DIR is required"; }
    [[ $timeout_s =~ ^[0-9]+$ ]] || die 2 "--timeout must be whole seconds, got '$timeout_s'"
}

# stop_pid NAME PID SECONDS: SIGTERM, wait up to SECONDS, then SIGKILL; 1 if it survives that too.
stop_pid() {
    local name=$1 pid=$2 timeout_s=$3 deadline
    process_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + timeout_s))
    while process_alive "$pid"; do
        if ((SECONDS >= deadline)); then
            echo "$name (pid $pid) still running after ${timeout_s}s; sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
            deadline=$((SECONDS + 10))
            while process_alive "$pid"; do
                ((SECONDS < deadline)) || return 1
                sleep 0.2
            done
            return 0
        fi
        sleep 0.2
    done
}
