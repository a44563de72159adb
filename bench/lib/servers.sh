# shellcheck shell=bash
# bench/lib/servers.sh - what the benchmarks that start servers in
# namespaces of their own share (bench/tcpip.sh, bench/conns.sh): their
# result lines, stopping what they started, the namespaces they make and
# delete on every way out. Sourced after setting:
#
#   BENCH_NAME   the part, in every RESULT, FAILED and SKIPPED line
#   OUT          the output folder (results.txt, failures.txt)
#   STOP_TENTHS  how long stop_pid waits after SIGTERM, in tenths of a
#                second (optional, 50)
#
# It sets TMPD (a folder of the run, made by bench_tmpdir), PIDS (the
# servers started and maybe still running: the script adds to it) and
# made_ns, and traps EXIT to stop every pid of PIDS and of
# BENCH_MORE_PIDS (an array the script may fill), delete the namespaces
# and TMPD.

TMPD=
PIDS=()
BENCH_MORE_PIDS=()
made_ns=()

fail() { echo "FAILED: $BENCH_NAME: $*" | tee -a "$OUT/failures.txt"; }
skipped() { echo "SKIPPED $BENCH_NAME: $*"; exit 0; }
result() { echo "RESULT $BENCH_NAME $*" | tee -a "$OUT/results.txt"; }

# alive PID: whether PID is a program this shell started that still
# runs (asked of the shell's own jobs: never a process that has been given
# the number of one of ours since it ended).
alive() { jobs -pr 2>/dev/null | grep -qx -- "$1"; }

# stop_pid PID: SIGTERM, at most STOP_TENTHS tenths of a second, then
# SIGKILL; reaped.
stop_pid() {
    local p=$1 i
    if alive "$p"; then
        kill -TERM "$p" 2>/dev/null
        for ((i = 0; i < ${STOP_TENTHS:-50}; i++)); do
            alive "$p" || break
            sleep 0.1
        done
        alive "$p" && kill -KILL "$p" 2>/dev/null
    fi
    wait "$p" 2>/dev/null
    return 0
}

# shellcheck disable=SC2317 # called by the trap
bench_cleanup() {
    local p n
    for p in "${PIDS[@]}" "${BENCH_MORE_PIDS[@]}"; do
        [ -n "$p" ] && stop_pid "$p"
    done
    for n in "${made_ns[@]}"; do
        ip netns del "$n" 2>/dev/null
    done
    [ -n "$TMPD" ] && rm -rf "$TMPD"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM HUP

# bench_needs TOOL...: why the run cannot go on (root, ip, taskset and two
# CPUs, /dev/net/tun, then each TOOL), in $why; empty when it can.
# shellcheck disable=SC2034 # why: read by the script
bench_needs() {
    local t
    why=
    if [ "$(id -u)" != 0 ]; then why="needs root (network namespaces, TAP)"
    elif ! command -v ip >/dev/null 2>&1; then why="no ip (iproute2)"
    elif ! command -v taskset >/dev/null 2>&1 || ! taskset -c 1 true 2>/dev/null; then
        why="needs taskset and two CPUs"
    elif [ ! -c /dev/net/tun ]; then why="no /dev/net/tun"
    else
        for t in "$@"; do
            command -v "$t" >/dev/null 2>&1 ||
                { why="no $t (scripts/deps.sh bench)"; break; }
        done
    fi
}

# bench_tmpdir: TMPD, a fresh folder that nginx's workers (www-data) may
# read.
bench_tmpdir() {
    TMPD=$(mktemp -d "${TMPDIR:-/tmp}/miou-$BENCH_NAME.XXXXXX") &&
        chmod 755 "$TMPD"
}

# ns_add NAME: a namespace of ours, its loopback up; deleted at exit.
ns_add() {
    ip netns add "$1" || return 1
    made_ns+=("$1")
    ip netns exec "$1" ip link set lo up
}

# nginx_start DIR LOG [PIN...]: nginx in $NS_S with DIR/nginx.conf (its
# error log DIR/error.log, its output LOG), run under PIN (taskset and its
# arguments, or nothing); its master's pid in NGINX_PID, added to PIDS.
# Whether it answers http://10.1.0.2/ from $NS_C within 10 s.
nginx_start() {
    local dir=$1 log=$2 i
    shift 2
    ip netns exec "$NS_S" "$@" nginx -e "$dir/error.log" -p "$dir" \
        -c "$dir/nginx.conf" >"$log" 2>&1 &
    NGINX_PID=$!
    PIDS+=("$NGINX_PID")
    for ((i = 0; i < 100; i++)); do
        ip netns exec "$NS_C" curl -s -o /dev/null --max-time 1 http://10.1.0.2/ && return 0
        alive "$NGINX_PID" || return 1
        sleep 0.1
    done
    return 1
}

# wait_line FILE REGEX PID TENTHS: whether FILE shows a line matching
# REGEX within TENTHS tenths of a second while PID runs.
wait_line() {
    local i
    for ((i = 0; i < $4; i++)); do
        grep -qE -- "$2" "$1" 2>/dev/null && return 0
        alive "$3" || return 1
        sleep 0.1
    done
    return 1
}
