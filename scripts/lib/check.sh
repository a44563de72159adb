# shellcheck shell=bash
# What the scripts/check_*.sh scripts share: their result lines, their
# temporary folder and its clean-up, the check of a program refused at
# start-up, programs run in the background, and a network namespace of
# their own. Sourced, not run, from the top of the source tree:
#
#     set -u
#     cd "$(dirname "$0")/.." || exit 1
#     # shellcheck source=scripts/lib/check.sh
#     . scripts/lib/check.sh
#     check_begin TOPIC
#
# A script prints one result line a case, as scripts/test.sh counts them:
#
#     ok - TOPIC: SENTENCE
#     not ok - TOPIC: SENTENCE: WHY
#     skip - TOPIC: SENTENCE: SKIPPED REASON
#
# Variables the functions read, which the script may set:
#   topic    the TOPIC of the result lines (set by check_begin; a script
#            with several topics sets it again between them)
#   runner   an array: words put before refused's arguments (the program,
#            and anything that runs it, such as setpriv's words)
#   bound    an array: words put before start's command (default: at most
#            120 s under timeout(1); empty, so that $pid is the program's)
#   start_label  how start's failure line names the program (default: the
#            base name of the command's first word)
# Variables the functions set:
#   tmp      the temporary folder (check_begin), removed on every way out
#   pid      the program started last (start)
#   status   its exit status once it ended (stop)
#   ns, ns_made  the network namespace (make_netns), and 1 once it is made
#            (so that the clean-up deletes it, and only it)
# Files in $tmp they write: out and err (refused), NAME.out (start).

runner=()
bound=(timeout -k 5 120)
start_label=
tmp=
pid=
status=
ns=
ns_made=0

# check_begin TOPIC: the topic of the result lines; a new temporary folder
# in $tmp; and the traps that clean up (cleanup) on every way out,
# interruptions included (exit status 1).
check_begin() {
    topic=$1
    tmp=$(mktemp -d) || exit 1
    trap cleanup EXIT
    trap 'exit 1' INT TERM HUP
}

# cleanup: the EXIT trap. Ends the programs this shell started and that
# still run, by pid (asked of the shell's own list of jobs: never another
# process, nor one that was given the number of ours since it ended):
# SIGTERM, then at most 5 s for them to end, then SIGKILL. Then deletes
# the network namespace if make_netns made it, then the temporary folder
# (made writable first: a case may have taken its permissions away).
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    local p
    for p in $(jobs -pr); do
        kill "$p" 2>/dev/null
    done
    for _ in $(seq 50); do
        [ -z "$(jobs -pr)" ] && break
        sleep 0.1
    done
    for p in $(jobs -pr); do
        kill -KILL "$p" 2>/dev/null
    done
    [ "$ns_made" = 1 ] && ip netns del "$ns" 2>/dev/null
    if [ -n "$tmp" ]; then
        chmod -R u+rwx "$tmp" 2>/dev/null
        rm -rf "$tmp"
    fi
}

# ok SENTENCE, fail SENTENCE: a passed and a failed result line (for a
# failure, SENTENCE is the case's sentence, a colon and why).
ok() { echo "ok - $topic: $1"; }
fail() { echo "not ok - $topic: $1"; }
# skip SENTENCE REASON: a skipped result line.
skip() { echo "skip - $topic: $1: SKIPPED $2"; }

# show FILE [BYTES]: the first BYTES (300) bytes of FILE on one line (its
# newlines as |), for a failure message.
show() { head -c "${2:-300}" "$1" | tr '\n' '|'; }
# lastlines FILE [LINES]: the last LINES (3) lines of FILE, likewise.
lastlines() { tail -n "${2:-3}" "$1" | tr '\n' '|'; }

# need_built PROGRAM...: unless every PROGRAM is an executable file, the
# failed result line "PROGRAM is built" for the first that is not, and
# exit 0 (there is nothing else to check).
need_built() {
    local p
    for p in "$@"; do
        if [ ! -x "$p" ]; then
            fail "$p is built"
            exit 0
        fi
    done
}

# refused SENTENCE PATTERN [ARGS...]: the case SENTENCE, that the command
# "${runner[@]}" ARGS... (at most 30 s) is refused at start-up: exit
# status 1, exactly one line on standard error, matching the extended
# regular expression PATTERN, and nothing on standard output. Its output
# is left in $tmp/out and $tmp/err.
refused() {
    local what=$1 pattern=$2 rc lines
    shift 2
    timeout -k 5 30 "${runner[@]}" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    lines=$(wc -l <"$tmp/err")
    if [ $rc -ne 1 ]; then
        fail "$what: exit status $rc, wanted 1: $(show "$tmp/err") $(show "$tmp/out")"
    elif [ -s "$tmp/out" ] || [ "$lines" -ne 1 ]; then
        fail "$what: wanted one line on standard error, got $lines and '$(show "$tmp/out")' on standard output: $(show "$tmp/err")"
    elif ! grep -qE -- "$pattern" "$tmp/err"; then
        fail "$what: no line matches '$pattern': $(show "$tmp/err")"
    else
        ok "$what"
    fi
}

# bad_args SENTENCE PATTERN COMMAND...: the case "refused in one line:
# SENTENCE", that an example refuses its own arguments (examples/lib's
# args_read): exit status 2 and exactly one line on the console matching
# the extended regular expression PATTERN (at most 30 s).
bad_args() {
    local sentence=$1 pattern=$2 rc lines
    shift 2
    timeout -k 5 30 "$@" >"$tmp/bad.out" 2>"$tmp/bad.err"
    rc=$?
    lines=$(wc -l <"$tmp/bad.out")
    if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -qE -- "$pattern" "$tmp/bad.out"; then
        ok "refused in one line: $sentence"
    else
        fail "refused in one line: $sentence: status $rc, $lines lines: '$(show "$tmp/bad.out")'"
    fi
}

# alive PID: whether PID is a program this shell started that is still
# running: asked of the shell's own list of jobs, so that a number the
# system has given to another process since ours ended is never signalled.
alive() { jobs -pr 2>/dev/null | grep -qx -- "$1"; }

# start NAME READY COMMAND...: run "${bound[@]}" COMMAND... in the
# background, its output (standard output and error) into $tmp/NAME.out,
# its pid in $pid. COMMAND must be a program, not a shell function, so
# that $pid is that program's own (a function in the background is a
# subshell's pid: signalling it would leave the program running). Returns
# 0 once a line of the output matches READY (an extended regular
# expression), within 10 s; else prints the failed result line "NAME:
# PROGRAM did not start: OUTPUT", ends it (stop) and returns 1.
start() {
    local name=$1 ready=$2
    shift 2
    : >"$tmp/$name.out"
    "${bound[@]}" "$@" >"$tmp/$name.out" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        grep -qE -- "$ready" "$tmp/$name.out" && return 0
        alive "$pid" || break
        sleep 0.1
    done
    fail "$name: ${start_label:-$(basename "$1")} did not start: $(show "$tmp/$name.out")"
    # shellcheck disable=SC2119 # the defaults
    stop
    return 1
}

# stop [SECONDS [SIGNAL]]: wait at most SECONDS (30) for the program in
# $pid to end; if it still runs, send it SIGNAL (TERM). Then reaps it, its
# exit status in $status (128 + the signal's number if it was killed, 124
# or more if its timeout(1) ran out). "stop 0" ends it now; "stop 0 KILL"
# kills it (no "Killed" notice from the shell in the output).
# shellcheck disable=SC2120 # the scripts give the arguments
stop() {
    for _ in $(seq $((${1:-30} * 10))); do
        alive "$pid" || break
        sleep 0.1
    done
    {
        alive "$pid" && kill -"${2:-TERM}" "$pid"
        wait "$pid"
    } 2>/dev/null
    # shellcheck disable=SC2034 # for the scripts
    status=$?
}

# make_netns NAME: make the network namespace NAME (ip netns add), in $ns,
# which the clean-up then deletes. Returns 0 once made and enterable;
# else non-zero, with ip's message in $tmp/err.
make_netns() {
    ns=$1
    ip netns add "$ns" 2>"$tmp/err" || return 1
    ns_made=1
    # Entering it can fail where adding did not (in a chroot whose / is
    # no mount point, ip netns exec cannot remount /): that is a machine
    # without namespaces too, for the callers' SKIPPED lines.
    ip netns exec "$ns" true 2>"$tmp/err"
}

# tap_netns NAME [TXQUEUELEN]: what the TCP/IP scripts start from: a
# network namespace NAME of our own (make_netns) with lo up and a TAP
# interface tap0 at 10.0.0.1/24 and fd00::1/64 (a unique local address,
# without duplicate address detection: usable at once), up, its queue
# TXQUEUELEN frames long (the kernel's default otherwise). Returns 1 with the reason in $why
# when the machine cannot (not root, no iproute2, no /dev/net/tun, no
# namespaces): the caller's cases are then SKIPPED with it.
why=
tap_netns() {
    local name=$1 queue=${2:-}
    if [ "$(id -u)" != 0 ]; then
        why="not root (a network namespace is needed)"
    elif ! command -v ip >/dev/null 2>&1; then
        why="ip (iproute2) not installed"
    elif [ ! -c /dev/net/tun ]; then
        why="no /dev/net/tun"
    elif ! make_netns "$name"; then
        why="cannot make a network namespace: $(show "$tmp/err" 200)"
    elif ! {
        timeout 10 ip netns exec "$ns" ip link set lo up &&
            timeout 10 ip netns exec "$ns" ip tuntap add dev tap0 mode tap &&
            timeout 10 ip netns exec "$ns" ip addr add 10.0.0.1/24 dev tap0 &&
            timeout 10 ip netns exec "$ns" ip -6 addr add fd00::1/64 dev tap0 nodad &&
            { [ -z "$queue" ] ||
                timeout 10 ip netns exec "$ns" ip link set tap0 txqueuelen "$queue"; } &&
            timeout 10 ip netns exec "$ns" ip link set tap0 up
    } 2>"$tmp/err"; then
        why="cannot make a TAP interface in $ns: $(show "$tmp/err" 200)"
    else
        return 0
    fi
    return 1
}

# in_ns COMMAND...: run COMMAND in the namespace $ns, in the foreground.
# (In the background, use ip netns exec "$ns" COMMAND... directly, so
# that $! is the program's pid and not a subshell's.)
in_ns() { ip netns exec "$ns" "$@"; }
