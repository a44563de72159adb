#!/usr/bin/env bash
# The hosted tender's TAP backend, against the host's own ping: the ping
# example answers inside a network namespace that this script creates
# (miou-test-PID-tap, holding every TAP interface and address used here,
# deleted on every way out), never on the host's own network. Needs root,
# ip (iproute2) and ping (iputils-ping); without them its cases are
# SKIPPED. Prints one test line per case.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
check_begin net-tap
build=${BUILD:-build/hosted}
prog=$build/examples/ping

# skip_all REASON: every case skipped, and exit 0.
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
        skip "$what" "$1"
    done
    exit 0
}

[ "$(id -u)" = 0 ] || skip_all "not root"
command -v ip >/dev/null 2>&1 && command -v ping >/dev/null 2>&1 ||
    skip_all "ip/ping not installed"
[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
need_built "$prog"
# The namespace miou-test-PID-tap, deleted by the clean-up.
if ! make_netns "miou-test-$$-tap"; then
    skip_all "cannot make a network namespace: $(show "$tmp/err" 200)"
fi
# tap0 answers at 10.0.0.2 (the example) for 10.0.0.1 (the namespace);
# tap1 exists but stays down.
if ! { in_ns ip link set lo up &&
    in_ns ip tuntap add dev tap0 mode tap &&
    in_ns ip addr add 10.0.0.1/24 dev tap0 &&
    in_ns ip link set tap0 up &&
    in_ns ip tuntap add dev tap1 mode tap; } 2>"$tmp/err"; then
    skip_all "cannot make TAP interfaces in $ns: $(show "$tmp/err" 200)"
fi

# start_example NAME ARGS...: start (scripts/lib/check.sh) the example
# with ARGS in the namespace, at most 120 s, its output in $tmp/NAME.out
# and its pid in $pid; 0 once it has said that it answers, 1 (the example
# stopped) after printing why. (ip netns exec, not the in_ns function: $pid
# must be the program's timeout(1), not a subshell.)
start_label="the example"
start_example() {
    local name=$1
    shift
    start "$name" '^ping: answering for ' ip netns exec "$ns" "$prog" "$@"
}

# "N received" and "X% packet loss" of ping's summary in (file).
received() { sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p' "$1" | head -n 1; }
loss() { sed -n 's/.* \([0-9.][0-9.]*\)% packet loss.*/\1/p' "$1" | head -n 1; }
# The example's final count of echo requests in (file).
answered() { sed -n 's/^ping: answered \([0-9][0-9]*\) echo requests.*/\1/p' "$1" | tail -n 1; }

# ---- (a) and (c): ping -c 100 -i 0.01, and the example's own count.
if start_example paced --net:service=tap0 -- 10.0.0.2 --count=100 --seconds=60; then
    in_ns timeout -k 5 60 ping -c 100 -i 0.01 -W 2 10.0.0.2 >"$tmp/ping.out" 2>&1
    rc=$?
    stop
    if [ $rc -eq 0 ] && [ "$(received "$tmp/ping.out")" = 100 ] &&
        [ "$(loss "$tmp/ping.out")" = 0 ]; then
        ok "ping -c 100 -i 0.01 is answered in full"
    else
        fail "ping -c 100 -i 0.01 is answered in full: ping exit status $rc: $(lastlines "$tmp/ping.out")"
    fi
    n=$(answered "$tmp/paced.out")
    if [ $status -eq 0 ] && [ "$n" = 100 ]; then
        ok "the example counts the 100 echo requests ping sent and exits 0 at --count=100"
    else
        fail "the example counts the 100 echo requests ping sent: exit status $status, counted '${n}': $(lastlines "$tmp/paced.out")"
    fi
fi

# ---- (b): flood ping while 1000 other tasks sleep and yield.
if start_example flood --net:service=tap0 -- 10.0.0.2 --tasks=1000 --count=10000 --seconds=100; then
    in_ns timeout -k 5 100 ping -f -c 10000 -q -W 2 10.0.0.2 >"$tmp/flood.ping" 2>&1
    rc=$?
    stop
    n=$(answered "$tmp/flood.out")
    if [ $rc -eq 0 ] && [ "$(received "$tmp/flood.ping")" = 10000 ] &&
        [ "$(loss "$tmp/flood.ping")" = 0 ]; then
        ok "ping -f -c 10000 with 1000 busy tasks is answered in full ($(grep -o 'rtt.*' "$tmp/flood.ping"))"
    else
        fail "ping -f -c 10000 with 1000 busy tasks is answered in full: ping exit status $rc: $(lastlines "$tmp/flood.ping")"
    fi
    if [ $status -eq 0 ] && [ "$n" = 10000 ] &&
        grep -qE 'busy tasks looped [1-9][0-9]* times' "$tmp/flood.out"; then
        ok "the example counts the 10000 flood echo requests, and its busy tasks ran meanwhile"
    else
        fail "the example counts the 10000 flood echo requests: exit status $status, counted '${n}': $(lastlines "$tmp/flood.out")"
    fi
fi

# ---- Several readers share the device: each frame goes to one of them.
if start_example readers --net:service=tap0 -- 10.0.0.2 --readers=4 --tasks=100 --count=5000 --seconds=100; then
    in_ns timeout -k 5 100 ping -f -c 5000 -q -W 2 10.0.0.2 >"$tmp/readers.ping" 2>&1
    rc=$?
    stop
    n=$(answered "$tmp/readers.out")
    if [ $rc -eq 0 ] && [ "$(received "$tmp/readers.ping")" = 5000 ] &&
        [ "$(loss "$tmp/readers.ping")" = 0 ] && [ $status -eq 0 ] && [ "$n" = 5000 ]; then
        ok "ping -f -c 5000 is answered in full, and counted once, by 4 readers"
    else
        fail "ping -f -c 5000 is answered in full, and counted once, by 4 readers: ping exit status $rc: $(lastlines "$tmp/readers.ping" 2) example exit status $status, counted '${n}'"
    fi
fi

# ---- (d): --net-mac. The neighbour table is read while the example
# still runs (it ends after the fourth echo request).
mac=02:00:00:00:00:42
in_ns ip neigh flush dev tap0 2>/dev/null
if start_example mac --net:service=tap0 --net-mac:service=$mac -- 10.0.0.2 --count=4 --seconds=60; then
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
    start_example mtu --net:service=tap0 -- 10.0.0.2 --count=3 --seconds=60; then
    in_ns timeout -k 5 30 ping -c 3 -i 0.2 -s 3900 -M do -W 2 10.0.0.2 >"$tmp/mtu.ping" 2>&1
    rc=$?
    stop
    if [ $rc -eq 0 ] && [ "$(received "$tmp/mtu.ping")" = 3 ] && [ $status -eq 0 ] &&
        grep -q '^ping: answering for 10.0.0.2 at .*, MTU 4000,' "$tmp/mtu.out"; then
        ok "the MTU is the interface's (4000), and 3928-byte packets are answered whole"
    else
        fail "the MTU is the interface's (4000), and 3928-byte packets are answered whole: ping exit status $rc: $(lastlines "$tmp/mtu.ping" 2) example: $(show "$tmp/mtu.out" 400)"
    fi
    in_ns ip link set tap0 mtu 1500
elif [ -s "$tmp/err" ]; then
    fail "the MTU is the interface's: cannot set it: $(show "$tmp/err")"
fi

# ---- (e): interfaces that cannot be used (refused, in
# scripts/lib/check.sh): one line on standard error naming the device and
# the interface, nothing on standard output, exit status 1, and no
# interface made on the way.
runner=(ip netns exec "$ns" "$prog")
refused "a missing interface is refused, naming the device and interface" \
    "^ping: device 'service': .*'nosuchtap0'" --net:service=nosuchtap0
if in_ns ip link show nosuchtap0 >/dev/null 2>&1; then
    fail "a missing interface is not made by trying to attach it"
else
    ok "a missing interface is not made by trying to attach it"
fi
refused "an interface that is down is refused, naming the device and interface" \
    "^ping: device 'service': .*'tap1'.* down" --net:service=tap1
if start_example holder --net:service=tap0 -- 10.0.0.2 --seconds=30; then
    refused "an interface another running example has attached is refused" \
        "^ping: device 'service': .*'tap0'.*busy" --net:service=tap0 -- --seconds=1
    # ...and the first one still answers.
    in_ns timeout -k 5 30 ping -c 1 -W 2 10.0.0.2 >"$tmp/holder.ping" 2>&1
    rc=$?
    stop 0
    if [ $rc -eq 0 ]; then
        ok "the example that has the interface still answers after the refusal"
    else
        fail "the example that has the interface still answers after the refusal: $(lastlines "$tmp/holder.ping")"
    fi
fi
exit 0
