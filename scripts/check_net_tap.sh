#!/usr/bin/env bash
# The hosted tender's TAP backend, against the host's own ping: the ping
# example answers inside a network namespace that this script creates
# (miou-test-PID-tap, holding every TAP interface and address used here,
# deleted on every way out), never on the host's own network. Needs root,
# ip (iproute2) and ping (iputils-ping); without them its cases are
# SKIPPED. Prints one test line per case.
set -u
cd "$(dirname "$0")/.."
build=${BUILD:-build/hosted}
prog=$build/examples/ping
ns=miou-test-$$-tap
topic="net-tap"
tmp=$(mktemp -d)
ns_made=0

# Whether (pid) is a program we started that is still running: asked of
# the shell's own list of jobs, so that a number the system has given to
# another process since ours ended is never signalled.
alive() { jobs -pr 2>/dev/null | grep -qx -- "$1"; }

# Every way out: end the programs we started (by pid), then the namespace
# and its interfaces, then the files.
cleanup() {
    local pid i
    for pid in $(jobs -pr); do
        kill "$pid" 2>/dev/null
    done
    for i in $(seq 50); do
        [ -z "$(jobs -pr)" ] && break
        sleep 0.1
    done
    for pid in $(jobs -pr); do
        kill -KILL "$pid" 2>/dev/null
    done
    [ $ns_made -eq 1 ] && ip netns del "$ns" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ok() { echo "ok - $topic: $1"; }
fail() { echo "not ok - $topic: $1"; }
skip_all() {
    local what
    for what in "ping -c 100 -i 0.01 is answered in full" \
        "ping -f -c 10000 with 1000 busy tasks is answered in full" \
        "ping -f -c 5000 is answered in full by 4 readers" \
        "the MTU is the interface's" \
        "the example counts the echo requests ping sent" \
        "--net-mac sets the address the namespace's neighbour table learns" \
        "a missing interface is refused" \
        "an interface that is down is refused" \
        "an interface another running example has attached is refused"; do
        echo "skip - $topic: $what: SKIPPED $1"
    done
    exit 0
}
# The output of (file) on one line, for a failure message.
show() { head -c "${2:-300}" "$1" | tr '\n' '|'; }
in_ns() { ip netns exec "$ns" "$@"; }

[ "$(id -u)" = 0 ] || skip_all "not root"
command -v ip >/dev/null 2>&1 && command -v ping >/dev/null 2>&1 ||
    skip_all "ip/ping not installed"
[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
if [ ! -x "$prog" ]; then
    fail "$prog is built"
    exit 0
fi
if ! ip netns add "$ns" 2>"$tmp/err"; then
    skip_all "cannot make a network namespace: $(show "$tmp/err" 200)"
fi
ns_made=1
# tap0 answers at 10.0.0.2 (the example) for 10.0.0.1 (the namespace);
# tap1 exists but stays down.
if ! { in_ns ip link set lo up &&
    in_ns ip tuntap add dev tap0 mode tap &&
    in_ns ip addr add 10.0.0.1/24 dev tap0 &&
    in_ns ip link set tap0 up &&
    in_ns ip tuntap add dev tap1 mode tap; } 2>"$tmp/err"; then
    skip_all "cannot make TAP interfaces in $ns: $(show "$tmp/err" 200)"
fi

# start NAME ARGS...: run the example on tap0 in the background (at most
# 120 s), output into $tmp/NAME.out, its pid in $pid; 0 once it has said
# that it answers, 1 (the example stopped) after printing why.
pid=
start() {
    local name=$1 i
    shift
    : >"$tmp/$name.out"
    # (ip netns exec, not the in_ns function: $! must be the program's
    # timeout(1), not a subshell)
    ip netns exec "$ns" timeout -k 5 120 "$prog" "$@" >"$tmp/$name.out" 2>&1 &
    pid=$!
    for i in $(seq 100); do
        grep -q '^ping: answering for ' "$tmp/$name.out" && return 0
        alive "$pid" || break
        sleep 0.1
    done
    fail "$name: the example did not start: $(show "$tmp/$name.out")"
    stop
    return 1
}

# stop [SECONDS]: wait (at most SECONDS, 30 by default) for the example
# started last to end, killing it if it does not; its exit status in
# $status (124 or more: killed).
status=
stop() {
    local i
    for i in $(seq $((${1:-30} * 10))); do
        alive "$pid" || break
        sleep 0.1
    done
    alive "$pid" && kill "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null
    status=$?
}

# "N received" and "X% packet loss" of ping's summary in (file).
received() { sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p' "$1" | head -n 1; }
loss() { sed -n 's/.* \([0-9.][0-9.]*\)% packet loss.*/\1/p' "$1" | head -n 1; }
# The example's final count of echo requests in (file).
answered() { sed -n 's/^ping: answered \([0-9][0-9]*\) echo requests.*/\1/p' "$1" | tail -n 1; }

# ---- (a) and (c): ping -c 100 -i 0.01, and the example's own count.
if start paced --net:service=tap0 -- 10.0.0.2 --count=100 --seconds=60; then
    in_ns timeout -k 5 60 ping -c 100 -i 0.01 -W 2 10.0.0.2 >"$tmp/ping.out" 2>&1
    rc=$?
    stop
    if [ $rc -eq 0 ] && [ "$(received "$tmp/ping.out")" = 100 ] &&
        [ "$(loss "$tmp/ping.out")" = 0 ]; then
        ok "ping -c 100 -i 0.01 is answered in full"
    else
        fail "ping -c 100 -i 0.01 is answered in full: ping exit status $rc: $(tail -n 3 "$tmp/ping.out" | tr '\n' '|')"
    fi
    n=$(answered "$tmp/paced.out")
    if [ $status -eq 0 ] && [ "$n" = 100 ]; then
        ok "the example counts the 100 echo requests ping sent and exits 0 at --count=100"
    else
        fail "the example counts the 100 echo requests ping sent: exit status $status, counted '${n}': $(tail -n 3 "$tmp/paced.out" | tr '\n' '|')"
    fi
fi

# ---- (b): flood ping while 1000 other tasks sleep and yield.
if start flood --net:service=tap0 -- 10.0.0.2 --tasks=1000 --count=10000 --seconds=100; then
    in_ns timeout -k 5 100 ping -f -c 10000 -q -W 2 10.0.0.2 >"$tmp/flood.ping" 2>&1
    rc=$?
    stop
    n=$(answered "$tmp/flood.out")
    if [ $rc -eq 0 ] && [ "$(received "$tmp/flood.ping")" = 10000 ] &&
        [ "$(loss "$tmp/flood.ping")" = 0 ]; then
        ok "ping -f -c 10000 with 1000 busy tasks is answered in full ($(grep -o 'rtt.*' "$tmp/flood.ping"))"
    else
        fail "ping -f -c 10000 with 1000 busy tasks is answered in full: ping exit status $rc: $(tail -n 3 "$tmp/flood.ping" | tr '\n' '|')"
    fi
    if [ $status -eq 0 ] && [ "$n" = 10000 ] &&
        grep -qE 'busy tasks looped [1-9][0-9]* times' "$tmp/flood.out"; then
        ok "the example counts the 10000 flood echo requests, and its busy tasks ran meanwhile"
    else
        fail "the example counts the 10000 flood echo requests: exit status $status, counted '${n}': $(tail -n 3 "$tmp/flood.out" | tr '\n' '|')"
    fi
fi

# ---- Several readers share the device: each frame goes to one of them.
if start readers --net:service=tap0 -- 10.0.0.2 --readers=4 --tasks=100 --count=5000 --seconds=100; then
    in_ns timeout -k 5 100 ping -f -c 5000 -q -W 2 10.0.0.2 >"$tmp/readers.ping" 2>&1
    rc=$?
    stop
    n=$(answered "$tmp/readers.out")
    if [ $rc -eq 0 ] && [ "$(received "$tmp/readers.ping")" = 5000 ] &&
        [ "$(loss "$tmp/readers.ping")" = 0 ] && [ $status -eq 0 ] && [ "$n" = 5000 ]; then
        ok "ping -f -c 5000 is answered in full, and counted once, by 4 readers"
    else
        fail "ping -f -c 5000 is answered in full, and counted once, by 4 readers: ping exit status $rc: $(tail -n 2 "$tmp/readers.ping" | tr '\n' '|') example exit status $status, counted '${n}'"
    fi
fi

# ---- (d): --net-mac. The neighbour table is read while the example
# still runs (it ends after the fourth echo request).
mac=02:00:00:00:00:42
in_ns ip neigh flush dev tap0 2>/dev/null
if start mac --net:service=tap0 --net-mac:service=$mac -- 10.0.0.2 --count=4 --seconds=60; then
    in_ns timeout -k 5 30 ping -c 3 -i 0.2 -W 2 10.0.0.2 >"$tmp/mac.ping" 2>&1
    rc=$?
    in_ns ip neigh show 10.0.0.2 dev tap0 >"$tmp/neigh" 2>&1
    in_ns timeout -k 5 30 ping -c 1 -W 2 10.0.0.2 >/dev/null 2>&1
    stop
    if [ $rc -eq 0 ] && grep -q "lladdr $mac " "$tmp/neigh" &&
        grep -q "^ping: answering for 10.0.0.2 at $mac," "$tmp/mac.out" &&
        [ $status -eq 0 ]; then
        ok "--net-mac sets the address the namespace's neighbour table learns"
    else
        fail "--net-mac sets the address the namespace's neighbour table learns: ping exit status $rc, example $status, neighbours '$(show "$tmp/neigh")', example said '$(show "$tmp/mac.out" 200)'"
    fi
fi

# ---- The device's MTU is the interface's: 4000-byte pings (not
# fragmented) come back whole.
if in_ns ip link set tap0 mtu 4000 2>"$tmp/err" &&
    start mtu --net:service=tap0 -- 10.0.0.2 --count=3 --seconds=60; then
    in_ns timeout -k 5 30 ping -c 3 -i 0.2 -s 3900 -M do -W 2 10.0.0.2 >"$tmp/mtu.ping" 2>&1
    rc=$?
    stop
    if [ $rc -eq 0 ] && [ "$(received "$tmp/mtu.ping")" = 3 ] && [ $status -eq 0 ] &&
        grep -q '^ping: answering for 10.0.0.2 at .*, MTU 4000,' "$tmp/mtu.out"; then
        ok "the MTU is the interface's (4000), and 3928-byte packets are answered whole"
    else
        fail "the MTU is the interface's (4000), and 3928-byte packets are answered whole: ping exit status $rc: $(tail -n 2 "$tmp/mtu.ping" | tr '\n' '|') example: $(show "$tmp/mtu.out" 400)"
    fi
    in_ns ip link set tap0 mtu 1500
elif [ -s "$tmp/err" ]; then
    fail "the MTU is the interface's: cannot set it: $(show "$tmp/err")"
fi

# ---- (e): interfaces that cannot be used: one line on standard error
# naming the device and the interface, nothing on standard output, exit
# status 1, and no interface made on the way.
refused() { # refused SENTENCE PATTERN ARGS...
    local what=$1 pattern=$2 rc lines
    shift 2
    in_ns timeout -k 5 30 "$prog" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    lines=$(wc -l <"$tmp/err")
    if [ $rc -ne 1 ]; then
        fail "$what: exit status $rc, wanted 1: $(show "$tmp/err")"
    elif [ -s "$tmp/out" ] || [ "$lines" -ne 1 ]; then
        fail "$what: wanted one line on standard error, got $lines and '$(show "$tmp/out")' on standard output: $(show "$tmp/err")"
    elif ! grep -qE -- "$pattern" "$tmp/err"; then
        fail "$what: no line matches '$pattern': $(show "$tmp/err")"
    else
        ok "$what"
    fi
}
refused "a missing interface is refused, naming the device and interface" \
    "^ping: device 'service': .*'nosuchtap0'" --net:service=nosuchtap0
if in_ns ip link show nosuchtap0 >/dev/null 2>&1; then
    fail "a missing interface is not made by trying to attach it"
else
    ok "a missing interface is not made by trying to attach it"
fi
refused "an interface that is down is refused, naming the device and interface" \
    "^ping: device 'service': .*'tap1'.* down" --net:service=tap1
if start holder --net:service=tap0 -- 10.0.0.2 --seconds=30; then
    refused "an interface another running example has attached is refused" \
        "^ping: device 'service': .*'tap0'.*busy" --net:service=tap0 -- --seconds=1
    # ...and the first one still answers.
    in_ns timeout -k 5 30 ping -c 1 -W 2 10.0.0.2 >"$tmp/holder.ping" 2>&1
    rc=$?
    alive "$pid" && kill "$pid" 2>/dev/null
    stop
    if [ $rc -eq 0 ]; then
        ok "the example that has the interface still answers after the refusal"
    else
        fail "the example that has the interface still answers after the refusal: $(tail -n 3 "$tmp/holder.ping" | tr '\n' '|')"
    fi
fi
exit 0
