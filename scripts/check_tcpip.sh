#!/usr/bin/env bash
# The TCP/IP layer (src/tcpip/, include/miou_tcpip.h) under load: the echo
# example (examples/echo.c, TCP and UDP echo on port 7) against the host's
# own TCP/IP stack, driven by tests/tools/tcpload.c, inside a network
# namespace that this script creates (miou-test-PID-tcpip, holding the TAP
# interface tap0 and the address 10.0.0.1, deleted on every way out),
# never on the host's own network.
#
# Against the hosted echo: 200 UDP datagrams of 1..1472 bytes; 1 MiB then
# a half-close (all of it back, then EOF); connections reset (RST) in the
# middle of a transfer, then a new connection still served; 100 MiB on one
# connection, sent while read back (checksum, throughput); 1000
# connections at once, 64 KiB each, byte for byte. Then the unikernel ends
# by itself (--seconds) and must say that lwIP holds 0 connections and 0
# packet buffers, with exit status 0: everything was released.
#
# When Solo5 is found (SOLO5_HOME, a built Solo5 tree with
# tenders/spt/solo5-spt), bulk (20 MiB) and concurrent (200 x 64 KiB)
# again with the same example as a solo5-spt unikernel
# (build/spt/examples/echo.spt, built here when missing), and the same
# check of its end.
#
# Needs root, ip (iproute2) and /dev/net/tun; without them its cases are
# SKIPPED. Prints one test line per case. Every command runs under
# timeout(1); the whole takes about a minute (mostly the unikernels'
# --seconds, which must outlast the slowest case).
#
#   scripts/check_tcpip.sh          (after make; BUILD=DIR for another build)
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
# shellcheck source=scripts/lib/solo5.sh
. scripts/lib/solo5.sh
check_begin tcpip
build=${BUILD:-build/hosted}
prog=$build/examples/echo
load=$build/tests/tools/tcpload
addr=10.0.0.2
port=7
# How long each unikernel runs (--seconds). The cases take a few seconds
# (hosted: about 3, spt: about 1); each tcpload run is given what is left
# of this time as its own limit, so that a slow case fails by itself
# rather than by the server going away under it.
hosted_seconds=30
spt_seconds=20

hosted_cases=("UDP: 200 datagrams of 1 to 65,507 bytes (fragmented above 1472) come back identical"
    "TCP half-close: 1 MiB then shutdown(SHUT_WR) comes back whole, then EOF"
    "TCP reset: connections reset mid-transfer leave the server serving"
    "TCP bulk: 100 MiB sent while read back comes back with the same checksum"
    "TCP concurrent: 1000 connections at once each echo 64 KiB byte for byte"
    "the unikernel ends with status 0, lwIP holding 0 connections and 0 pbufs")
spt_cases=("TCP bulk under solo5-spt: 20 MiB sent while read back comes back with the same checksum"
    "TCP concurrent under solo5-spt: 200 connections at once each echo 64 KiB byte for byte"
    "under solo5-spt, the unikernel ends with status 0, lwIP holding 0 connections and 0 pbufs")

# skip_all REASON: every case skipped, and exit 0.
skip_all() {
    local what
    for what in "${hosted_cases[@]}" "${spt_cases[@]}"; do
        skip "$what" "$1"
    done
    exit 0
}

need_built "$prog" "$load"
# tap0's queue towards the unikernel holds 20,000 frames instead of 1,000:
# 1000 connections whose windows open at once send up to 44,000 frames in
# a burst, and with the default queue most of them are dropped before the
# unikernel can read them, so that the case measures the host's
# retransmission timers (about 14 s instead of about 1 s) rather than the
# stack. Losses are still possible, and recovered from, on a slow machine.
tap_netns "miou-test-$$-tcpip" 20000 || skip_all "$why"

# serve NAME SECONDS COMMAND...: start (scripts/lib/check.sh) a unikernel
# serving echo for SECONDS, under a limit 60 s longer; $ends_at is when
# it will stop (in the shell's $SECONDS). The namespace's neighbour entry
# for the previous unikernel's MAC address is forgotten first, so that
# the first packet does not go to a stale one.
serve() {
    local name=$1 secs=$2
    shift 2
    timeout 10 ip netns exec "$ns" ip neigh flush dev tap0 2>/dev/null
    bound=(timeout -k 5 $((secs + 60)))
    ends_at=$((SECONDS + secs))
    start "$name" '^echo: serving TCP and UDP port ' "$@"
}

# load SENTENCE MODE ARG...: the case SENTENCE, tcpload MODE ADDRESS PORT
# ARG... in the namespace, with what is left of the unikernel's time (less
# 3 s) as its limit; its result line ends the case's line.
load() {
    local what=$1 mode=$2 left rc
    shift 2
    left=$((ends_at - SECONDS - 3))
    if [ "$left" -lt 1 ]; then
        fail "$what: no time left before the unikernel's --seconds end"
        return
    fi
    timeout -k 5 $((left + 10)) ip netns exec "$ns" "$load" "$mode" \
        "$addr" "$port" "$@" --timeout="$left" >"$tmp/load.out" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        ok "$what ($(sed -n "s/^$mode: //p" "$tmp/load.out" | head -n 1))"
    else
        fail "$what: tcpload exit status $rc: $(show "$tmp/load.out" 400)"
    fi
}

# finished SENTENCE OUT: the case SENTENCE, that the unikernel started
# last ends by its --seconds (waited for: at most its time left and 30 s)
# with exit status 0 and its summary in OUT saying that lwIP holds
# nothing: every connection, listener, socket and buffer released.
finished() {
    local what=$1 out=$2 summary
    stop $((ends_at - SECONDS + 30))
    summary=$(grep -E '^echo: [0-9]+ connections, ' "$out" | tail -n 1)
    if [ "$status" = 0 ] &&
        printf '%s\n' "$summary" | grep -q 'lwIP holds 0 connections, 0 pbufs'; then
        ok "$what (${summary#echo: })"
    elif [ "$status" -gt 128 ] && [ "$status" -lt 160 ]; then
        fail "$what: killed by signal $((status - 128)) ($(kill -l $((status - 128)) 2>/dev/null)): $(lastlines "$out")"
    else
        fail "$what: exit status $status, summary '${summary}': $(lastlines "$out")"
    fi
}

# ---- The hosted unikernel. UDP first: its first datagram fills the
# neighbour tables of both sides, so that the burst of 1000 connections
# later is not answered while lwIP still resolves 10.0.0.1 (lwIP queues
# only 3 packets for an unresolved address; the other SYN-ACKs would be
# lost and the connections wait a second for the SYN to be sent again).
start_label="the hosted echo"
if serve hosted $hosted_seconds ip netns exec "$ns" "$prog" \
    --net:service=tap0 -- "$addr" --seconds=$hosted_seconds; then
    load "${hosted_cases[0]}" udp 200 65507
    load "${hosted_cases[1]}" halfclose $((1024 * 1024))
    load "${hosted_cases[2]}" reset
    load "${hosted_cases[3]}" bulk $((100 * 1024 * 1024))
    load "${hosted_cases[4]}" concurrent 1000 65536
    finished "${hosted_cases[5]}" "$tmp/hosted.out"
fi

# ---- The same example as a solo5-spt unikernel.
spt_skip() {
    local what
    for what in "${spt_cases[@]}"; do
        skip "$what" "$1"
    done
    exit 0
}
tender=${SOLO5_HOME:+$SOLO5_HOME/tenders/spt/solo5-spt}
if [ -z "$tender" ] || [ ! -x "$tender" ]; then
    spt_skip "Solo5 not found (export SOLO5_HOME, a built Solo5 tree with tenders/spt/solo5-spt)"
fi
uk=build/spt/examples/echo.spt
spt_built "$uk" || exit 0
start_label="echo under solo5-spt"
if serve spt $spt_seconds ip netns exec "$ns" "$tender" \
    --net:service=tap0 "$uk" --solo5:quiet "$addr" --seconds=$spt_seconds; then
    # A datagram first, for the neighbour tables (see above); not a case.
    timeout -k 5 20 ip netns exec "$ns" "$load" udp "$addr" "$port" 1 \
        --timeout=10 >/dev/null 2>&1
    load "${spt_cases[0]}" bulk $((20 * 1024 * 1024))
    load "${spt_cases[1]}" concurrent 200 65536
    finished "${spt_cases[2]}" "$tmp/spt.out"
fi
exit 0
