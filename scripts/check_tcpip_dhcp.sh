#!/usr/bin/env bash
# The TCP/IP stack's DHCP client: in a network namespace of our own, a
# dnsmasq on tap0 (10.0.0.1) leases addresses from 10.0.0.100 to
# 10.0.0.150; the echo example started with --dhcp takes one, says which,
# answers ping and echoes TCP on it. Needs root (the namespace) and
# dnsmasq: SKIPPED otherwise. One test line per case.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
check_begin tcpip-dhcp
build=${BUILD:-build/hosted}
server=$build/examples/echo
client=$build/examples/echo_client
sentence="echo --dhcp takes a lease from a DHCP server and serves on it"
need_built "$server"
if ! command -v dnsmasq >/dev/null 2>&1; then
    skip "$sentence" "dnsmasq is not installed (package dnsmasq-base)"
    exit 0
fi
if ! tap_netns miou-dhcp-$$; then
    skip "$sentence" "$why"
    exit 0
fi
# dnsmasq in the foreground (so that $pid is it), DHCP only (port=0: no
# DNS), its leases in our folder.
bound=(timeout -k 5 60)
start dnsmasq 'started|DHCP' ip netns exec "$ns" dnsmasq --no-daemon \
    --port=0 --interface=tap0 --bind-interfaces --log-dhcp \
    --dhcp-range=10.0.0.100,10.0.0.150,255.255.255.0,1h \
    --dhcp-leasefile="$tmp/leases" --pid-file="$tmp/dnsmasq.pid" || exit 0
dns_pid=$pid
start echo '^echo: serving' ip netns exec "$ns" "$server" \
    --net:service=tap0 -- --dhcp --seconds=15 || {
    pid=$dns_pid
    stop 0
    exit 0
}
addr=$(sed -n 's/^echo: serving TCP and UDP port 7 on \(10\.0\.0\.1[0-9][0-9]\)$/\1/p' "$tmp/echo.out")
if [ -n "$addr" ] && grep -q "DHCPACK(tap0) $addr" "$tmp/dnsmasq.out" &&
    in_ns ping -c 3 -i 0.2 -W 1 "$addr" >"$tmp/ping.out" 2>&1; then
    ok "$sentence ($addr, acknowledged by dnsmasq, answering ping)"
else
    fail "$sentence: address '$addr', '$(lastlines "$tmp/echo.out")' '$(lastlines "$tmp/dnsmasq.out" 4)'"
fi
# Kill the unikernel and dnsmasq, which we started, by pid.
stop 0
pid=$dns_pid
stop 0
