#!/usr/bin/env bash
# The resolver (miou_dns_resolve(), src/tcpip/dns.c) and connections by
# name (miou_tcp_connect_name(), Happy Eyeballs) with the resolve example
# (examples/resolve.c) against dnsmasq, DHCP and DNS server of a network
# namespace of our own (miou-test-PID-dns: tap0 at 10.0.0.1 and
# fd00::1; deleted on every way out), never the host's network. dnsmasq
# serves, for example.test only (--local: anything else there is
# NXDOMAIN), www (A and AAAA: the namespace itself), v4 (A only), alias
# (a CNAME for www), broken6 (AAAA fd00::99, which nobody has, and A
# 10.0.0.1); a plain Linux server (tests/tools/tcpload's serve mode)
# says by which family each connection came.
#
# Cases: the lease's DNS server resolves the names, IPv6 first, the
# CNAME followed; a name that does not exist is MIOU_ENOTFOUND; a
# connection by name goes over IPv6 when both families answer; when the
# IPv6 address is silent it goes over IPv4 after Happy Eyeballs' 250 ms;
# a DNS server given as an IPv6 address; the same under solo5-spt when
# Solo5 is found. Needs root, ip, /dev/net/tun and dnsmasq: SKIPPED
# otherwise. One test line per case; everything under timeout(1).
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
# shellcheck source=scripts/lib/solo5.sh
. scripts/lib/solo5.sh
check_begin dns
build=${BUILD:-build/hosted}
prog=$build/examples/resolve
load=$build/tests/tools/tcpload
port=8000

cases=("resolve --dhcp takes the lease's DNS server and gets A and AAAA addresses, IPv6 first, a CNAME followed"
    "a name that does not exist is MIOU_ENOTFOUND"
    "a connection by name goes over IPv6 when both families answer"
    "when the IPv6 address is silent, the connection goes over IPv4 after Happy Eyeballs' 250 ms"
    "a DNS server given by its IPv6 address (--dns=fd00::1) answers, over IPv6 alone"
    "under solo5-spt, resolve --dhcp gets the addresses and connects by name over IPv6")

skip_all() {
    local what
    for what in "${cases[@]}"; do
        skip "$what" "$1"
    done
    exit 0
}

need_built "$prog" "$load"
command -v dnsmasq >/dev/null 2>&1 || skip_all "dnsmasq is not installed (package dnsmasq-base)"
tap_netns "miou-test-$$-dns" || skip_all "$why"

bound=(timeout -k 5 300)
start dnsmasq 'DHCP, IP range' ip netns exec "$ns" dnsmasq --no-daemon \
    --interface=tap0 --bind-interfaces --no-resolv --no-hosts \
    --local=/example.test/ \
    --host-record=www.example.test,10.0.0.1,fd00::1 \
    --host-record=v4.example.test,10.0.0.1 \
    --host-record=broken6.example.test,10.0.0.1,fd00::99 \
    --cname=alias.example.test,www.example.test \
    --dhcp-range=10.0.0.100,10.0.0.150,255.255.255.0,1h \
    --dhcp-leasefile="$tmp/leases" --pid-file="$tmp/dnsmasq.pid" \
    --log-queries || exit 0
dns_pid=$pid

# resolve_run NAME ARGS...: the resolve example (hosted, or $runner
# before it) with the net device tap0 and ARGS, in the namespace, at most
# 40 s; its output in $tmp/NAME.out, its status in $rc.
resolve_run() {
    local name=$1
    shift
    in_ns ip neigh flush dev tap0 2>/dev/null
    in_ns ip -6 neigh flush dev tap0 2>/dev/null
    timeout -k 5 40 ip netns exec "$ns" "$@" >"$tmp/$name.out" 2>&1
    rc=$?
}

# serving SENTENCE: the Linux server for one connection, in the
# background, its pid in $pid; 1 when it did not start (the case SENTENCE
# failed, saying so).
serving() {
    bound=(timeout -k 5 60)
    start_label="tcpload serve (for: $1)"
    start serve '^serve: listening' ip netns exec "$ns" "$load" serve :: \
        $port 1 --timeout=50
}

line() { grep -E "$1" "$tmp/$2.out" | head -n 1; }

# ---- Names over the lease's server.
resolve_run names "$prog" --net:service=tap0 -- www.example.test \
    alias.example.test v4.example.test nope.example.test --dhcp --ipv6 \
    --timeout=5
www=$(line '^resolve: www.example.test has' names)
alias=$(line '^resolve: alias.example.test has' names)
v4=$(line '^resolve: v4.example.test has' names)
if [ "$www" = "resolve: www.example.test has fd00::1 10.0.0.1" ] &&
    [ "$alias" = "resolve: alias.example.test has fd00::1 10.0.0.1" ] &&
    [ "$v4" = "resolve: v4.example.test has 10.0.0.1" ] &&
    grep -q 'query\[AAAA\] www.example.test from 10.0.0.1[0-9][0-9]' "$tmp/dnsmasq.out"; then
    ok "${cases[0]} ($www; $alias; $v4)"
else
    fail "${cases[0]}: status $rc: $(show "$tmp/names.out" 600)"
fi
if grep -q '^resolve: nope.example.test: .*(MIOU_ENOTFOUND)$' "$tmp/names.out" &&
    [ "$rc" = 1 ]; then
    ok "${cases[1]} ($(line '^resolve: nope' names))"
else
    fail "${cases[1]}: status $rc: $(lastlines "$tmp/names.out" 3)"
fi

# ---- Connections by name.
if serving "${cases[2]}"; then
    srv=$pid
    resolve_run both "$prog" --net:service=tap0 -- www.example.test --dhcp \
        --ipv6-address=fd00::2 --connect=$port --timeout=5
    pid=$srv
    stop 10
    if [ "$rc" = 0 ] && grep -q "^resolve: connected to www.example.test port $port at fd00::1 " "$tmp/both.out" &&
        grep -q '^resolve: the server says: hello over IPv6$' "$tmp/both.out"; then
        ok "${cases[2]} ($(line '^resolve: connected' both))"
    else
        fail "${cases[2]}: status $rc: $(lastlines "$tmp/both.out" 3)"
    fi
fi
if serving "${cases[3]}"; then
    srv=$pid
    resolve_run eyeballs "$prog" --net:service=tap0 -- broken6.example.test \
        --dhcp --ipv6-address=fd00::2 --connect=$port --timeout=5
    pid=$srv
    stop 10
    ms=$(sed -n "s/^resolve: connected to broken6.example.test port $port at 10.0.0.1 in \([0-9]*\) ms$/\1/p" "$tmp/eyeballs.out")
    if [ "$rc" = 0 ] && [ -n "$ms" ] && [ "$ms" -ge 250 ] && [ "$ms" -lt 2000 ] &&
        grep -q '^resolve: the server says: hello over IPv4$' "$tmp/eyeballs.out"; then
        ok "${cases[3]} (connected over IPv4 in $ms ms)"
    else
        fail "${cases[3]}: status $rc, '$ms' ms: $(lastlines "$tmp/eyeballs.out" 3)"
    fi
fi

# ---- A server by its IPv6 address, no IPv4 at all.
resolve_run six "$prog" --net:service=tap0 -- www.example.test \
    --address=0.0.0.0 --ipv6-address=fd00::2 --dns=fd00::1 --timeout=5
if [ "$rc" = 0 ] && grep -qx 'resolve: www.example.test has fd00::1 10.0.0.1' "$tmp/six.out" &&
    grep -q 'query\[AAAA\] www.example.test from fd00::2' "$tmp/dnsmasq.out"; then
    ok "${cases[4]}"
else
    fail "${cases[4]}: status $rc: $(lastlines "$tmp/six.out" 3)"
fi

# ---- Under solo5-spt.
tender=$(solo5_find solo5-spt)
if [ -z "$tender" ]; then
    skip "${cases[5]}" "Solo5 not found (export SOLO5_HOME, a built Solo5 tree with tenders/spt/solo5-spt)"
    exit 0
fi
spt_built build/spt/examples/resolve.spt || exit 0
if serving "${cases[5]}"; then
    srv=$pid
    resolve_run spt "$tender" --net:service=tap0 build/spt/examples/resolve.spt \
        --solo5:quiet www.example.test v4.example.test --dhcp \
        --ipv6-address=fd00::2 --connect=$port --timeout=5
    pid=$srv
    stop 10
    if [ "$rc" = 0 ] && grep -qx 'resolve: www.example.test has fd00::1 10.0.0.1' "$tmp/spt.out" &&
        grep -qx 'resolve: v4.example.test has 10.0.0.1' "$tmp/spt.out" &&
        grep -q '^resolve: the server says: hello over IPv6$' "$tmp/spt.out"; then
        ok "${cases[5]}"
    else
        fail "${cases[5]}: status $rc: $(lastlines "$tmp/spt.out" 4)"
    fi
fi
pid=$dns_pid
stop 0
exit 0
