#!/usr/bin/env bash
# A client coming back on the port pair of a connection that the server
# closed first, while that connection still sits in TIME-WAIT on the
# server's side (src/tcpip/timewait.c): the http example with --linger=0
# (it closes right after a "Connection: close" response) against
# tests/tools/tcpload's closefirst mode, which makes its connections from
# 4 local ports in turn, so that every connection after the fourth meets
# the TIME-WAIT of an earlier one. Before the fix, lwIP answered such a
# SYN with a bare ACK or a reset and ignored the client's reset: the
# fifth connection timed out (or was refused). Each connection must now
# connect and be served within 2 s, and the server must count the
# TIME-WAITs it gave up. In a network namespace of our own
# (miou-test-PID-tw, tap0 at 10.0.0.1 and fd00::1), on hosted over IPv4
# and over IPv6, and under solo5-spt when Solo5 is found. Needs root, ip and /dev/net/tun: SKIPPED
# otherwise. One test line per case.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
# shellcheck source=scripts/lib/solo5.sh
. scripts/lib/solo5.sh
check_begin timewait
build=${BUILD:-build/hosted}
prog=$build/examples/http
load=$build/tests/tools/tcpload
addr=10.0.0.2
count=1000
spt_count=200
# How long each unikernel serves: the 1000 connections take about 1 s.
seconds=6

hosted="1000 connections the server closes first, from 4 ports in turn, each connect at once through the server's TIME-WAIT"
hosted6="over IPv6, 1000 connections the server closes first, from 4 ports in turn, each connect at once"
spt="under solo5-spt, 200 connections the server closes first, from 4 ports in turn, each connect at once"
need_built "$prog" "$load"
if ! tap_netns "miou-test-$$-tw"; then
    skip "$hosted" "$why"
    skip "$hosted6" "$why"
    skip "$spt" "$why"
    exit 0
fi
head -c 4096 /dev/zero >"$tmp/disk.img"

# serve_and_load SENTENCE N ADDRESS COMMAND...: start the unikernel COMMAND
# (which ends by itself after $seconds), run closefirst N times against
# it at ADDRESS, wait for its end and its summary; the case passes when every
# connection was served and the server's summary counts at least N - 4
# TIME-WAITs reused (the first four connections of each port meet none).
serve_and_load() {
    local what=$1 n=$2 to=$3 reused
    shift 3
    in_ns ip neigh flush dev tap0 2>/dev/null
    bound=(timeout -k 5 90)
    start server '^http: serving port ' "$@" || return
    timeout -k 5 $((seconds + 5)) ip netns exec "$ns" "$load" closefirst \
        "$to" 80 "$n" 4 --timeout=$((seconds - 2)) >"$tmp/load.out" 2>&1
    local rc=$?
    stop $((seconds + 10))
    reused=$(sed -n 's/.* \([0-9]*\) in TIME-WAIT reused;.*/\1/p' "$tmp/server.out")
    if [ $rc -eq 0 ] && [ -n "$reused" ] && [ "$reused" -ge $((n - 4)) ]; then
        ok "$what ($(sed -n 's/^closefirst: [0-9]* connections, //p' "$tmp/load.out"); $reused TIME-WAITs given up)"
    else
        fail "$what: tcpload status $rc: $(show "$tmp/load.out") server: $(lastlines "$tmp/server.out" 2)"
    fi
}

serve_and_load "$hosted" $count "$addr" ip netns exec "$ns" "$prog" \
    --net:service=tap0 --block:storage="$tmp/disk.img" -- "$addr" \
    --linger=0 --seconds=$seconds
serve_and_load "$hosted6" $count fd00::2 ip netns exec "$ns" "$prog" \
    --net:service=tap0 --block:storage="$tmp/disk.img" -- "$addr" \
    --ipv6-address=fd00::2 --linger=0 --seconds=$seconds

tender=$(solo5_find solo5-spt)
if [ -z "$tender" ]; then
    skip "$spt" "Solo5 not found (export SOLO5_HOME, a built Solo5 tree with tenders/spt/solo5-spt)"
    exit 0
fi
uk=build/spt/examples/http.spt
spt_built "$uk" || exit 0
serve_and_load "$spt" $spt_count "$addr" ip netns exec "$ns" "$tender" --net:service=tap0 \
    --block:storage="$tmp/disk.img" "$uk" --solo5:quiet "$addr" --linger=0 --seconds=$seconds
exit 0
