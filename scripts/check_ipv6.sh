#!/usr/bin/env bash
# IPv6 and the dual stack (src/tcpip/, include/miou_tcpip.h) against the
# host's own stack, inside a network namespace of our own
# (miou-test-PID-ipv6: tap0 at 10.0.0.1, fd00::1/64 and fd00:1::1/64,
# dnsmasq sending router advertisements for fd00:1::/64; deleted on every
# way out), never on the host's network.
#
# The echo example with --ipv6 --ipv6-address=fd00::2: ping -6 to its
# static and link-local addresses; the address it takes from dnsmasq's
# router advertisement (SLAAC) answers too; UDP over IPv6 with fragments
# (up to 65,487 bytes: miou_udp_send() says why not 65,507);
# 1000 connections at once, 500 over each family (tests/tools/tcpload);
# then it ends holding nothing. The http example answers curl -6. When
# Solo5 is found (SOLO5_HOME), the same unikernels under solo5-spt: ping
# -6, 200 connections (100 over each family), curl -6.
#
# Needs root, ip, /dev/net/tun, dnsmasq (for the SLAAC case) and curl;
# without them its cases are SKIPPED. One test line per case; every
# command runs under timeout(1).
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
# shellcheck source=scripts/lib/solo5.sh
. scripts/lib/solo5.sh
check_begin ipv6
build=${BUILD:-build/hosted}
echo_prog=$build/examples/echo
http_prog=$build/examples/http
load=$build/tests/tools/tcpload
v4=10.0.0.2
v6=fd00::2
# How long each unikernel serves (--seconds): its cases take a few (the
# address from the router up to 10 s, usually 2).
seconds=18
spt_seconds=8
http_seconds=5

hosted_cases=("ping -6 to the static address fd00::2 is answered"
    "ping -6 to the link-local address (fe80::...%tap0) is answered"
    "an address from dnsmasq's router advertisement (SLAAC, fd00:1::/64) is taken and answers ping -6"
    "UDP over IPv6: 200 datagrams of 1 to 65,487 bytes (fragmented above 1452) come back identical"
    "dual stack: 1000 connections at once, 500 over IPv4 and 500 over IPv6, each echo 64 KiB byte for byte"
    "the unikernel ends with status 0, lwIP holding 0 connections and 0 pbufs"
    "curl -6 gets the http example's page and its disk byte for byte from http://[fd00::2]/")
spt_cases=("under solo5-spt, ping -6 to fd00::2 is answered"
    "under solo5-spt, 200 connections at once, 100 over each family, each echo 64 KiB byte for byte"
    "under solo5-spt, the unikernel ends with lwIP holding nothing"
    "under solo5-spt, curl -6 gets the http example's page")

skip_all() {
    local what
    for what in "${hosted_cases[@]}" "${spt_cases[@]}"; do
        skip "$what" "$1"
    done
    exit 0
}

need_built "$echo_prog" "$http_prog" "$load"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
tap_netns "miou-test-$$-ipv6" 20000 || skip_all "$why"
in_ns ip -6 addr add fd00:1::1/64 dev tap0 nodad 2>/dev/null
head -c $((1024 * 1024)) /dev/urandom >"$tmp/disk.img"

# dnsmasq, router advertisements only (no DNS, no DHCP), for SLAAC.
dns_pid=
if command -v dnsmasq >/dev/null 2>&1; then
    bound=(timeout -k 5 120)
    if start dnsmasq 'router advertisement enabled' ip netns exec "$ns" \
        dnsmasq --no-daemon --port=0 --interface=tap0 --bind-interfaces \
        --enable-ra --dhcp-range=fd00:1::,ra-only,64,1h \
        --pid-file="$tmp/dnsmasq.pid"; then
        dns_pid=$pid
    fi
fi

# serve NAME READY SECONDS COMMAND...: start (scripts/lib/check.sh) a
# unikernel that ends by itself after SECONDS; $ends_at is when.
serve() {
    local name=$1 ready=$2 secs=$3
    shift 3
    in_ns ip neigh flush dev tap0 2>/dev/null
    in_ns ip -6 neigh flush dev tap0 2>/dev/null
    bound=(timeout -k 5 $((secs + 60)))
    ends_at=$((SECONDS + secs))
    start "$name" "$ready" "$@"
}

# pinged SENTENCE ADDRESS: the case, ping -6 three times.
pinged() {
    if in_ns timeout 10 ping -6 -c 3 -i 0.2 -W 2 "$2" >"$tmp/ping.out" 2>&1; then
        ok "$1 ($(grep -oE '[0-9]+ received' "$tmp/ping.out"))"
    else
        fail "$1: $(lastlines "$tmp/ping.out" 2)"
    fi
}

# loaded SENTENCE HALF: HALF connections over each family at once, 64
# KiB each, two tcpload runs side by side.
loaded() {
    local left=$((ends_at - SECONDS - 3)) rc4 rc6
    timeout -k 5 $((left + 10)) ip netns exec "$ns" "$load" concurrent "$v4" 7 \
        "$2" 65536 --timeout="$left" >"$tmp/load4.out" 2>&1 &
    local p4=$!
    timeout -k 5 $((left + 10)) ip netns exec "$ns" "$load" concurrent "$v6" 7 \
        "$2" 65536 --timeout="$left" >"$tmp/load6.out" 2>&1
    rc6=$?
    wait "$p4"
    rc4=$?
    if [ $rc4 -eq 0 ] && [ $rc6 -eq 0 ]; then
        ok "$1 (IPv4: $(sed -n 's/^concurrent: //p' "$tmp/load4.out"); IPv6: $(sed -n 's/^concurrent: //p' "$tmp/load6.out"))"
    else
        fail "$1: IPv4 status $rc4: $(show "$tmp/load4.out"); IPv6 status $rc6: $(show "$tmp/load6.out")"
    fi
}

# ended SENTENCE NAME PATTERN: the unikernel NAME ends by its --seconds
# with status 0 and a summary matching PATTERN (lwIP holds nothing).
ended() {
    stop $((ends_at - SECONDS + 30))
    if [ "$status" = 0 ] && grep -qE "$3" "$tmp/$2.out"; then
        ok "$1"
    else
        fail "$1: exit status $status: $(lastlines "$tmp/$2.out")"
    fi
}

# said PREFIX SECONDS: the first address starting with PREFIX that echo
# says it has ("echo: address ..."), waited for SECONDS at most.
said() {
    local a
    for _ in $(seq $(($2 * 10))); do
        a=$(sed -n "s/^echo: address \($1[0-9a-f:]*\)\$/\1/p" "$tmp/echo.out" | head -n 1)
        [ -n "$a" ] && break
        sleep 0.1
    done
    echo "$a"
}

# ---- The hosted echo.
start_label="the hosted echo"
if serve echo '^echo: serving' $seconds ip netns exec "$ns" "$echo_prog" \
    --net:service=tap0 -- "$v4" --ipv6 --ipv6-address="$v6" \
    --seconds=$seconds; then
    pinged "${hosted_cases[0]}" "$v6"
    # The link-local address, said once duplicate address detection is
    # done (a second or two).
    ll=$(said 'fe80::' 5)
    if [ -n "$ll" ]; then
        pinged "${hosted_cases[1]} ($ll)" "$ll%tap0"
    else
        fail "${hosted_cases[1]}: no link-local address said: $(lastlines "$tmp/echo.out")"
    fi
    if [ -z "$dns_pid" ]; then
        skip "${hosted_cases[2]}" "dnsmasq is not installed or did not start (package dnsmasq-base)"
    else
        slaac=$(said 'fd00:1::' 10)
        if [ -n "$slaac" ]; then
            pinged "${hosted_cases[2]} ($slaac)" "$slaac"
        else
            fail "${hosted_cases[2]}: no address in fd00:1::/64 said within 10 s: $(lastlines "$tmp/echo.out")"
        fi
    fi
    left=$((ends_at - SECONDS - 3))
    if timeout -k 5 $((left + 10)) ip netns exec "$ns" "$load" udp "$v6" 7 200 65487 \
        --timeout="$left" >"$tmp/udp.out" 2>&1; then
        ok "${hosted_cases[3]} ($(sed -n 's/^udp: //p' "$tmp/udp.out"))"
    else
        fail "${hosted_cases[3]}: $(show "$tmp/udp.out")"
    fi
    loaded "${hosted_cases[4]}" 500
    ended "${hosted_cases[5]}" echo 'lwIP holds 0 connections, 0 pbufs'
fi

# ---- The hosted http, over IPv6 alone.
start_label="the hosted http"
if serve http '^http: serving' $http_seconds ip netns exec "$ns" "$http_prog" \
    --net:service=tap0 --block:storage="$tmp/disk.img" -- "$v4" \
    --ipv6-address="$v6" --seconds=$http_seconds; then
    code=$(in_ns timeout 30 curl -6 -sS --max-time 20 -o "$tmp/page" \
        -w '%{http_code}' "http://[$v6]/")
    code2=$(in_ns timeout 30 curl -6 -sS --max-time 20 -o "$tmp/file" \
        -w '%{http_code}' "http://[$v6]/file")
    if [ "$code" = 200 ] && grep -q '<html>' "$tmp/page" &&
        grep -q "$v6" "$tmp/page" && [ "$code2" = 200 ] &&
        cmp -s "$tmp/file" "$tmp/disk.img"; then
        ok "${hosted_cases[6]}"
    else
        fail "${hosted_cases[6]}: status $code and $code2, page '$(show "$tmp/page" 100)'"
    fi
    stop 20
fi

# ---- The same unikernels under solo5-spt.
tender=$(solo5_find solo5-spt)
if [ -z "$tender" ]; then
    for what in "${spt_cases[@]}"; do
        skip "$what" "Solo5 not found (export SOLO5_HOME, a built Solo5 tree with tenders/spt/solo5-spt)"
    done
    exit 0
fi
spt_built build/spt/examples/echo.spt || exit 0
spt_built build/spt/examples/http.spt || exit 0
start_label="echo under solo5-spt"
if serve spt '^echo: serving' $spt_seconds ip netns exec "$ns" "$tender" \
    --net:service=tap0 build/spt/examples/echo.spt --solo5:quiet "$v4" \
    --ipv6-address="$v6" --seconds=$spt_seconds; then
    pinged "${spt_cases[0]}" "$v6"
    loaded "${spt_cases[1]}" 100
    ended "${spt_cases[2]}" spt 'lwIP holds 0 connections, 0 pbufs'
fi
start_label="http under solo5-spt"
if serve spt-http '^http: serving' $http_seconds ip netns exec "$ns" "$tender" \
    --net:service=tap0 --block:storage="$tmp/disk.img" \
    build/spt/examples/http.spt --solo5:quiet "$v4" --ipv6-address="$v6" \
    --seconds=$http_seconds; then
    code=$(in_ns timeout 30 curl -6 -sS --max-time 20 -o "$tmp/spt.page" \
        -w '%{http_code}' "http://[$v6]/")
    if [ "$code" = 200 ] && grep -q '<html>' "$tmp/spt.page"; then
        ok "${spt_cases[3]}"
    else
        fail "${spt_cases[3]}: status $code, '$(show "$tmp/spt.page" 100)'"
    fi
    stop 20
fi
exit 0
