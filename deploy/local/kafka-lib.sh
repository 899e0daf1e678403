# Shared by kafka-start.sh and kafka-stop.sh; sourced, not run.
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
    ((major >= 17)) || die 2 "'$JAVA' is Java $spec; Kafka 4 needs Java 17 or newer: install openjdk-17-jdk-headless or point JAVA_HOME at a JDK 17+"
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
    local pom="$KAFKA_LOCAL_DIR/kafka-classpath/pom.xml"
    local root_pom="$KAFKA_LOCAL_DIR/../../pom.xml"
    local cache_dir="${CGAUDIT_KAFKA_CACHE:-$KAFKA_LOCAL_DIR/.cache}"
    local key cache tmp jar ok=1
    key=$(cat "$pom" "$root_pom" | cksum | cut -d' ' -f1)
    cache="$cache_dir/kafka-classpath-$key.txt"
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
        || die 2 "mvn not found: Maven 3.8+ is needed once to fetch Kafka's jars (Debian: apt-get install maven)"
    mkdir -p "$cache_dir"
    tmp=$(mktemp "$cache_dir/.classpath.XXXXXX")
    echo "Resolving Kafka's classpath with Maven (once) ..." >&2
    if ! mvn -q -B -Dstyle.color=never -f "$pom" dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile="$tmp" >&2; then
        rm -f "$tmp"
        die 1 "Maven could not resolve $pom (offline and not in ~/.m2 yet?)"
    fi
    mv -f "$tmp" "$cache"
    cat "$cache"
}
