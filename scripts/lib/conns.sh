# shellcheck shell=bash
# What scripts/check_conns.sh and bench/conns.sh share: many keep-alive
# HTTP connections held against one server by tests/tools/connhold, in a
# network namespace the caller made (tap0 at 10.0.0.1 for the
# unikernel; a veth pair for nginx), from several client addresses and
# processes. Sourced, not run.
#
# A process of connhold holds at most CONNS_PER connections: the open
# files one process may have (its hard limit, which only a privileged
# process raises; raised here when it can be) and the ports of one
# address. Each process connects from an address of its own.
#
# Functions:
#   conns_plan N            how many processes (conns_procs) hold N
#                           connections, and how many each (conns_counts);
#                           1 and the reason in $why when it takes more
#                           than CONNS_MAX_PROCS (8) processes
#   conns_sources NS DEV PREFIX FIRST
#                           add the clients' addresses PREFIX.FIRST,
#                           PREFIX.FIRST+1, ... (one per process, /24) to
#                           DEV in NS; their list in conns_addrs
#   conns_start NS ADDR PORT DIR [ARGS...]
#                           start the processes in NS against ADDR:PORT
#                           (under the command CONNS_PIN, an array, when
#                           set: taskset -c 0), connhold's output in
#                           DIR/client.K; their pids in conns_pids
#   conns_wait_idle SECONDS every process printed its idle line (0), or
#                           one ended or the time ran out (1)
#   conns_release SECONDS   end the idle time of every process (SIGUSR1)
#                           and wait for each (at most SECONDS in all,
#                           then SIGKILL): 0 when all exited 0; their
#                           result lines' sums in conns_responses and
#                           conns_rate (responses/s over the hold), the
#                           worst latency in conns_max_ms, the reason of
#                           a failure in $why
#   rss_kib PID             resident KiB of PID
#   conns_stats FILE        the last --stats line of the http example's
#                           output in FILE, as "open heap_used
#                           lwip_conns pbufs sched_bytes"
#   conns_fresh_stats FILE  the same, of a line printed from now on
#                           (waiting at most 3 s for one)
# shellcheck disable=SC2034 # why, conns_*: for the scripts that source this
#
# CONNHOLD: the client (build/hosted/tests/tools/connhold).

CONNHOLD=${CONNHOLD:-build/hosted/tests/tools/connhold}
CONNS_MAX_PROCS=${CONNS_MAX_PROCS:-8}
conns_procs=0
conns_counts=()
conns_addrs=()
conns_pids=()
CONNS_PIN=()
conns_dir=
conns_responses=0
conns_rate=0
conns_max_ms=0

# The hard limit of open files, raised first where this shell may.
ulimit -Hn 1048576 2>/dev/null
ulimit -n "$(ulimit -Hn)" 2>/dev/null
CONNS_PER=$(($(ulimit -Hn) - 64))
[ "$CONNS_PER" -gt 25000 ] && CONNS_PER=25000

conns_plan() {
    local n=$1 k
    conns_procs=$(((n + CONNS_PER - 1) / CONNS_PER))
    if [ "$CONNS_PER" -lt 1 ] || [ "$conns_procs" -gt "$CONNS_MAX_PROCS" ]; then
        why="$n connections take $conns_procs client processes at $CONNS_PER open files each (ulimit -Hn: $(ulimit -Hn)); at most $CONNS_MAX_PROCS"
        return 1
    fi
    conns_counts=()
    for ((k = 0; k < conns_procs; k++)); do
        conns_counts+=($((n / conns_procs + (k < n % conns_procs ? 1 : 0))))
    done
}

conns_sources() {
    local ns=$1 dev=$2 prefix=$3 first=$4 k a
    conns_addrs=()
    for ((k = 0; k < conns_procs; k++)); do
        a=$prefix.$((first + k))
        timeout 10 ip netns exec "$ns" ip addr add "$a/24" dev "$dev" || return 1
        conns_addrs+=("$a")
    done
}

conns_start() {
    local ns=$1 addr=$2 port=$3 k
    conns_dir=$4
    shift 4
    conns_pids=()
    for ((k = 0; k < conns_procs; k++)); do
        ip netns exec "$ns" "${CONNS_PIN[@]}" "$CONNHOLD" "$addr" "$port" \
            "${conns_counts[$k]}" --sources="${conns_addrs[$k]}" "$@" \
            >"$conns_dir/client.$k" 2>&1 &
        conns_pids+=($!)
    done
}

# conns_running PID: whether this shell's job PID still runs.
conns_running() { jobs -pr 2>/dev/null | grep -qx -- "$1"; }

conns_wait_idle() {
    local end=$((SECONDS + $1)) k idle
    while [ $SECONDS -lt $end ]; do
        idle=0
        for ((k = 0; k < conns_procs; k++)); do
            if grep -q '^connhold: idle: ' "$conns_dir/client.$k"; then
                idle=$((idle + 1))
            elif ! conns_running "${conns_pids[$k]}"; then
                why="client $k ended: $(tail -n 1 "$conns_dir/client.$k")"
                return 1
            fi
        done
        [ "$idle" = "$conns_procs" ] && return 0
        sleep 0.2
    done
    why="not every client idle within $1 s: $(tail -q -n 1 "$conns_dir"/client.* | tr '\n' '|' | head -c 400)"
    return 1
}

conns_release() {
    local end=$((SECONDS + $1)) k p rc=0 line
    for p in "${conns_pids[@]}"; do
        conns_running "$p" && kill -USR1 "$p" 2>/dev/null
    done
    for p in "${conns_pids[@]}"; do
        while conns_running "$p" && [ $SECONDS -lt $end ]; do
            sleep 0.1
        done
        conns_running "$p" && kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null || rc=1
    done
    conns_responses=0 conns_rate=0 conns_max_ms=0
    for ((k = 0; k < conns_procs; k++)); do
        line=$(grep '^connhold: [0-9]* connections held' "$conns_dir/client.$k")
        if [ -z "$line" ]; then
            why="client $k: $(tail -n 1 "$conns_dir/client.$k")"
            rc=1
            continue
        fi
        # "N connections held, R responses byte for byte (X/s over ...),
        # latency mean M ms, max W ms; ..."
        read -r r x w < <(echo "$line" | sed -E 's/.* held, ([0-9]+) responses .*\(([0-9.]+)\/s over .* max ([0-9.]+) ms.*/\1 \2 \3/')
        conns_responses=$((conns_responses + r))
        conns_rate=$(awk -v a="$conns_rate" -v b="$x" 'BEGIN { printf "%.0f", a + b }')
        conns_max_ms=$(awk -v a="$conns_max_ms" -v b="$w" 'BEGIN { print (b > a ? b : a) }')
    done
    return $rc
}

rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null; }

conns_stats() {
    grep '^http: stats: ' "$1" | tail -n 1 |
        sed -E 's/^http: stats: ([0-9]+) open, .* heap ([0-9]+) bytes in use .* lwIP ([0-9]+) connections, ([0-9]+) pbufs.* scheduler ([0-9]+) bytes.*/\1 \2 \3 \4 \5/'
}

conns_fresh_stats() {
    local seen
    seen=$(grep -c '^http: stats: ' "$1")
    for _ in $(seq 30); do
        [ "$(grep -c '^http: stats: ' "$1")" -gt "$seen" ] && break
        sleep 0.1
    done
    conns_stats "$1"
}
