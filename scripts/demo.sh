#!/usr/bin/env bash
# The device demo (make demo, after make has built the examples): runs
# examples/demo.c - a unikernel answering ping while a hundred tasks sleep
# and a disk task writes and checks blocks - on a scratch disk image, and
# pings it 20 times.
#
#  - As root, with ip(8) and ping(8) (Debian: iproute2, iputils-ping): in a
#    network namespace of its own, miou-demo-PID, with a TAP interface
#    tap0 at 10.0.0.1/24; the unikernel answers for 10.0.0.2 and the
#    namespace's ping(8) pings it. No address outside the namespace is
#    ever used, and the namespace is deleted at the end.
#  - Otherwise (or with MIOU_DEMO_UNPRIVILEGED=1): the unikernel's net
#    device is a UNIX socket in a temporary folder, and the peer is
#    examples/pinger.c, another hosted unikernel, which needs no privilege.
#
# Prints the ping output and the unikernel's summary; exits 0 iff every
# ping was answered and the unikernel reported no error. Every wait is
# bounded; the script stops only the processes it started.
set -u
cd "$(dirname "$0")/.." || exit 1
build=${BUILD:-build/hosted}
demo=$build/examples/demo
pinger=$build/examples/pinger
count=20
# Bounds of the whole run: the unikernel stops after $count echo replies,
# or after $seconds at the latest; each process is killed after $limit.
seconds=20
limit=30

for program in "$demo" "$pinger"; do
    if [ ! -x "$program" ]; then
        echo "demo.sh: $program is not built (run make first)" >&2
        exit 1
    fi
done

tmp=$(mktemp -d) || exit 1
ns=
pid=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    if [ -n "$ns" ]; then
        ip netns del "$ns" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

image=$tmp/disk.img
truncate -s 1M "$image" || exit 1

# wait_started: wait (at most 10 s) until the unikernel started in the
# background as $pid has printed its start line in $tmp/demo.out.
wait_started() {
    local i
    for ((i = 0; i < 100; i++)); do
        if grep -q '^demo: answering' "$tmp/demo.out" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
    echo "demo.sh: the unikernel did not start:" >&2
    cat "$tmp/demo.out" >&2
    return 1
}

# finish PEER_STATUS: wait for the unikernel, print its output, and exit
# with the verdict.
finish() {
    local peer_rc=$1 demo_rc
    wait "$pid"
    demo_rc=$?
    pid=
    echo "== the unikernel's output"
    cat "$tmp/demo.out"
    if [ "$peer_rc" -ne 0 ] || [ "$demo_rc" -ne 0 ]; then
        echo "demo.sh: FAILED (ping exit status $peer_rc, unikernel exit status $demo_rc)"
        exit 1
    fi
    echo "demo.sh: ok"
    exit 0
}

# The reason, if any, why the namespace cannot be made; empty if it can.
why_unprivileged() {
    if [ "${MIOU_DEMO_UNPRIVILEGED:-0}" = 1 ]; then
        echo "MIOU_DEMO_UNPRIVILEGED=1: running the unprivileged parts"
    elif [ "$(id -u)" -ne 0 ]; then
        echo "not root: cannot create a network namespace; running the unprivileged parts"
    elif ! command -v ip >/dev/null || ! command -v ping >/dev/null; then
        echo "ip or ping missing (Debian packages iproute2, iputils-ping): running the unprivileged parts"
    fi
}

run_in_namespace() {
    ns=miou-demo-$$
    if ! ip netns add "$ns"; then
        ns=
        echo "cannot create a network namespace; running the unprivileged parts"
        return 1
    fi
    if ! { ip netns exec "$ns" ip link set lo up &&
        ip netns exec "$ns" ip tuntap add dev tap0 mode tap &&
        ip netns exec "$ns" ip addr add 10.0.0.1/24 dev tap0 &&
        ip netns exec "$ns" ip link set tap0 up; } 2>"$tmp/netns.err"; then
        # Adding a namespace can work where entering it does not (a chroot
        # whose / is no mount point): the same case as no namespace.
        echo "cannot set up a TAP device in a network namespace ($(head -n 1 "$tmp/netns.err")); running the unprivileged parts"
        ip netns del "$ns" 2>/dev/null
        ns=
        return 1
    fi
    echo "== $demo in network namespace $ns, on tap0 (host side 10.0.0.1), disk $image"
    timeout "$limit" ip netns exec "$ns" "$demo" --net:service=tap0 \
        --block:storage="$image" -- 10.0.0.2 --count=$count \
        --seconds=$seconds >"$tmp/demo.out" 2>&1 &
    pid=$!
    wait_started || exit 1
    echo "== ping -c $count -i 0.05 10.0.0.2 (from the namespace)"
    timeout "$limit" ip netns exec "$ns" ping -n -c $count -i 0.05 -W 1 10.0.0.2
    finish $?
}

run_over_unix_sockets() {
    local a=$tmp/demo.sock b=$tmp/pinger.sock
    echo "== $demo on a UNIX socket, disk $image"
    timeout "$limit" "$demo" --net:service=unix:"$a","$b" \
        --block:storage="$image" -- 10.0.0.2 --count=$count \
        --seconds=$seconds >"$tmp/demo.out" 2>&1 &
    pid=$!
    wait_started || exit 1
    echo "== $pinger --count=$count --interval=50 10.0.0.2 (the peer unikernel)"
    timeout "$limit" "$pinger" --net:service=unix:"$b","$a" -- 10.0.0.2 \
        --from=10.0.0.1 --count=$count --interval=50
    finish $?
}

reason=$(why_unprivileged)
if [ -z "$reason" ]; then
    run_in_namespace
else
    echo "$reason"
fi
run_over_unix_sockets
