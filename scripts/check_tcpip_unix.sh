#!/usr/bin/env bash
# Two hosted unikernels talking TCP and UDP over the unprivileged net
# backend (UNIX sockets, each naming the other's as its peer): the echo
# example serves, echo_client sends 8 connections of 4 MiB at once and 50
# datagrams and checks every byte, over IPv4 then IPv6 (static addresses
# fd00::2 and fd00::3); both end holding nothing in lwIP. Then
# the examples' refusals of bad arguments. No privileges needed. One test
# line per case.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
check_begin tcpip-unix
build=${BUILD:-build/hosted}
server=$build/examples/echo
client=$build/examples/echo_client
need_built "$server" "$client" "$build/examples/http"

# client_and_echo FAMILY SERVER [ARGS...]: echo serves (with ARGS), and
# echo_client sends it 8 x 4 MiB and 50 datagrams at SERVER; two cases:
# all came back, and echo ended holding nothing.
client_and_echo() {
    local family=$1 to=$2
    shift 2
    start echo '^echo: serving' "$server" --net:service="unix:$tmp/a,$tmp/b" \
        -- 10.0.0.2 --seconds=8 "$@" || return
    timeout -k 5 60 "$client" --net:service="unix:$tmp/b,$tmp/a" -- "$to" \
        --connections=8 --bytes=4194304 --datagrams=50 "${client_args[@]}" \
        >"$tmp/client.out" 2>&1
    local rc=$?
    if [ $rc -eq 0 ] && grep -q 'tcp: 8 connections, 33554432 bytes echoed: ok' "$tmp/client.out" &&
        grep -q 'udp: 50 of 50 datagrams echoed: ok' "$tmp/client.out" &&
        grep -q 'lwIP holds 0 connections, 0 pbufs' "$tmp/client.out"; then
        ok "echo_client gets 8 x 4 MiB and 50 datagrams back from echo over UNIX sockets, byte for byte, over $family"
    else
        fail "echo_client over UNIX sockets, $family: status $rc, '$(show "$tmp/client.out")'"
    fi
    stop
    if [ "$status" = 0 ] && grep -q '8 connections, 33554432 bytes echoed, 50 datagrams; lwIP holds 0 connections, 0 pbufs, 0 heap bytes' "$tmp/echo.out"; then
        ok "echo ends on time holding no connection, packet buffer or heap in lwIP ($family)"
    else
        fail "echo's end ($family): status $status, '$(lastlines "$tmp/echo.out")'"
    fi
    rm -f "$tmp/a" "$tmp/b"
}
client_args=()
client_and_echo IPv4 10.0.0.2
client_args=(--ipv6-address=fd00::3)
client_and_echo IPv6 fd00::2 --ipv6-address=fd00::2

# ---- Bad arguments: one line on the console naming the word and what
# is accepted, status 2, nothing started.
bad_args "echo with an address that is not one" "bad argument '10.0.0.300': ADDRESS is an IPv4 address" \
    "$server" --net:service="unix:$tmp/c,$tmp/d" -- 10.0.0.300
bad_args "echo with a prefix above 32" "bad argument '--prefix=33': --prefix is a prefix length from 0 to 32" \
    "$server" --net:service="unix:$tmp/c,$tmp/d" -- --prefix=33
bad_args "echo with a gateway that is not an address" "bad argument '--gateway=10.0.0'" \
    "$server" --net:service="unix:$tmp/c,$tmp/d" -- --gateway=10.0.0
bad_args "echo with an option it does not have, naming it" "^echo: bad argument '--bogus=1': unknown option" \
    "$server" --net:service="unix:$tmp/c,$tmp/d" -- 10.0.0.2 --bogus=1
bad_args "echo with port 0, naming the range" "^echo: bad argument '--port=0': --port is a whole number from 1 to 65535$" \
    "$server" --net:service="unix:$tmp/c,$tmp/d" -- --port=0
head -c 4096 /dev/zero >"$tmp/disk.img"
bad_args "http with a prefix above 32" "bad argument '--prefix=33'" \
    "$build/examples/http" --net:service="unix:$tmp/c,$tmp/d" --block:storage="$tmp/disk.img" -- --prefix=33
bad_args "http with an idle time of 0, naming the range" "^http: bad argument '--idle=0': --idle is a number with up to 9 decimals, above 0$" \
    "$build/examples/http" --net:service="unix:$tmp/c,$tmp/d" --block:storage="$tmp/disk.img" -- --idle=0
bad_args "echo_client without the server's address" "the server's address \\(IPv4 or IPv6\\) is missing" \
    "$client" --net:service="unix:$tmp/c,$tmp/d"
bad_args "echo_client with 65 connections, naming the range" "^echo_client: bad argument '--connections=65': --connections is a whole number from 0 to 64$" \
    "$client" --net:service="unix:$tmp/c,$tmp/d" -- 10.0.0.2 --connections=65

# ---- --help: the usage line and a line per option, status 0.
timeout -k 5 30 "$server" --net:service="unix:$tmp/c,$tmp/d" -- --seconds=1 --help >"$tmp/help.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -qx 'usage: echo \[ADDRESS\] \[--prefix=BITS\] \[--gateway=ADDRESS\] \[--dhcp\] \[--ipv6\] \[--ipv6-address=ADDRESS\] \[--ipv6-gateway=ADDRESS\] \[--port=N\] \[--seconds=S\]' "$tmp/help.out" &&
    [ "$(grep -cE '^  (ADDRESS|--prefix|--gateway|--dhcp|--ipv6|--ipv6-address|--ipv6-gateway|--port|--seconds) +[a-z]' "$tmp/help.out")" -eq 9 ] &&
    ! grep -q '^echo: serving' "$tmp/help.out"; then
    ok "echo --help prints its usage and a line per option, and exits 0 without serving"
else
    fail "echo --help: status $rc, '$(show "$tmp/help.out")'"
fi
