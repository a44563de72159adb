#!/usr/bin/env bash
# The TLS layer (miou_tls.h) against the host's TLS clients: the https
# example (examples/https.c) serving a page and its disk inside a network
# namespace that this script creates (miou-test-PID-tls: a TAP interface
# tap0 at 10.0.0.1, the unikernel at 10.0.0.2; deleted on every way out),
# never on the host's own network; and the tls_client example refusing
# servers it must refuse. Certificates are made here, with openssl, into
# the temporary folder (scripts/lib/tls_certs.sh). Cases: curl over TLS
# 1.3 and 1.2 (the page and 1 MiB byte for byte), openssl s_client's
# version and suite, resumption from a ticket, clients that send
# garbage, stall or reset mid-handshake or mid-record (the next client is
# served), tls_client's digest and its three refusals, and the server
# ending with lwIP and mbedTLS holding nothing. With Solo5 (SOLO5_HOME),
# the page and the file again from https.spt under solo5-spt. Under sim:
# the https example and the sim platform's https-client peer over a lossy
# link, replayed from its seed.
# Needs root, ip, /dev/net/tun, curl and openssl; else SKIPPED.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
# shellcheck source=scripts/lib/tls_certs.sh
. scripts/lib/tls_certs.sh
check_begin tls
build=${BUILD:-build/hosted}
prog=$build/examples/https
client=$build/examples/tls_client
addr=10.0.0.2
url=https://$addr
seconds=25

cases=("curl --tlsv1.3 fetches the page"
    "curl --tlsv1.3 fetches the 1 MiB disk byte for byte"
    "curl --tlsv1.2 --tls-max 1.2 fetches the page and the disk byte for byte"
    "curl -6 fetches the page over IPv6 (fd00::2)"
    "keep-alive: three requests share one TLS connection"
    "openssl s_client reports TLSv1.3 and its suite"
    "openssl s_client resumes a TLS 1.3 session from a ticket"
    "a client that sends garbage is dropped, the next is served"
    "a client that stops mid-handshake is dropped after --idle, the next is served"
    "a client that resets mid-record is dropped, the next is served"
    "tls_client verifies the server and prints the disk's digest"
    "tls_client refuses a wrong host name (MIOU_EHOSTNAME)"
    "tls_client refuses an expired certificate (MIOU_EEXPIRED)"
    "tls_client refuses an untrusted CA (MIOU_EUNTRUSTED)"
    "the unikernel ends with lwIP and mbedTLS holding nothing"
    "under solo5-spt, curl fetches the page and the disk")

skip_all() {
    local what
    for what in "${cases[@]}"; do skip "$what" "$1"; done
    exit 0
}
# Before the sim cases run, their skips too.
sim_skip() {
    skip "under sim, a TLS handshake and 1 MiB over a lossy link complete, the body equal to the disk" "$1"
    skip "under sim, the run replays from its seed with the same digests" "$1"
    skip_all "$1"
}

command -v openssl >/dev/null 2>&1 || sim_skip "openssl not installed"
make_test_certs "$tmp" || sim_skip "openssl cannot make test certificates: $(lastlines "$tmp/openssl.log")"

# ---- Under sim: the https example and the https-client peer (mbedTLS as
# a client) over a link that loses, duplicates and reorders frames; the
# same seed twice gives the same trace digest and body digest, another
# seed another trace. No privileges needed.
sim_prog=build/sim/examples/https
sim_cases=("under sim, a TLS handshake and 1 MiB over a lossy link complete, the body equal to the disk"
    "under sim, the run replays from its seed with the same digests")
if [ ! -x "$sim_prog" ] && ! timeout -k 5 600 make --no-print-directory PLATFORM=sim -j2 \
    "$sim_prog" >"$tmp/sim-build.log" 2>&1; then
    fail "${sim_cases[0]}: $sim_prog does not build: $(grep -E 'error|\*\*\*' "$tmp/sim-build.log" | head -n 3 | tr '\n' '|')"
else
    head -c 1048576 /dev/urandom >"$tmp/sim-disk.img"
    sim_run() { # sim_run SEED OUT
        timeout -k 5 120 "$sim_prog" --seed="$1" --block:storage="$tmp/sim-disk.img" \
            --block:tls="$tmp/tls.img" \
            --net:service=https-client:/file,"$tmp/sim-disk.img","$tmp/ca.pem" \
            --net-faults:service=delay=100us..2ms,loss=2%,dup=1%,reorder=2% \
            -- --seconds=60 >"$tmp/$2" 2>&1
    }
    sim_run 5 sim5a
    rc=$?
    if [ $rc = 0 ] && grep -q 'https-client on service: TLSv1.3 .*: 1048576 body bytes, equal to the file' "$tmp/sim5a" &&
        grep -q 'mbedTLS holds 0 sessions, 0 bytes' "$tmp/sim5a"; then
        ok "${sim_cases[0]} ($(grep -o 'TLSv1.3 [^,]*' "$tmp/sim5a" | head -n 1))"
    else
        fail "${sim_cases[0]}: exit status $rc: $(lastlines "$tmp/sim5a" 4)"
    fi
    sim_run 5 sim5b
    sim_run 6 sim6
    digest() { grep -oE 'digest [0-9a-f]+|fnv1a [0-9a-f]+' "$tmp/$1" | tr '\n' ' '; }
    if [ -n "$(digest sim5a)" ] && [ "$(digest sim5a)" = "$(digest sim5b)" ] &&
        [ "$(grep -oE 'digest [0-9a-f]+' "$tmp/sim5a")" != "$(grep -oE 'digest [0-9a-f]+' "$tmp/sim6")" ]; then
        ok "${sim_cases[1]} (seed 5: $(digest sim5a))"
    else
        fail "${sim_cases[1]}: seed 5 '$(digest sim5a)', again '$(digest sim5b)', seed 6 '$(digest sim6)'"
    fi
fi

command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
need_built "$prog" "$client"
tap_netns "miou-test-$$-tls" || skip_all "$why"
img=$tmp/disk.img
head -c 1048576 /dev/urandom >"$img"
cp "$tmp/ca.pem" "$tmp/ca.img" && truncate -s 8K "$tmp/ca.img"
cp "$tmp/other-ca.pem" "$tmp/other-ca.img" && truncate -s 8K "$tmp/other-ca.img"

curl_ns() { in_ns timeout -k 5 30 curl -sS --max-time 25 --cacert "$tmp/ca.pem" "$@"; }
# s_client ARGS...: openssl s_client to the unikernel, its input empty.
s_client() {
    in_ns timeout -k 5 20 openssl s_client -connect "$addr:443" \
        -CAfile "$tmp/ca.pem" "$@" </dev/null 2>&1
}
# fnv FILE: the FNV-1a 64-bit digest of FILE, as tls_client prints it
# (python3: the shell and awk have no 64-bit arithmetic), or nothing.
fnv() {
    python3 -c 'import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("%016x" % h)' "$1" 2>/dev/null
}

start_label="the https example"
start hosted '^https: serving port ' ip netns exec "$ns" "$prog" \
    --net:service=tap0 --block:storage="$img" --block:tls="$tmp/tls.img" -- \
    "$addr" --ipv6-address=fd00::2 --seconds=$seconds --idle=2 ||
    skip_all "the https example did not start"
server_pid=$pid

code=$(curl_ns --tlsv1.3 -o "$tmp/page" -w '%{http_code}' "$url/")
if [ "$code" = 200 ] && grep -q 'miou-solo5' "$tmp/page"; then
    ok "curl --tlsv1.3 fetches the page ($(wc -c <"$tmp/page") bytes)"
else
    fail "curl --tlsv1.3 fetches the page: status '$code': $(show "$tmp/page" 100)"
fi

code=$(curl_ns --tlsv1.3 -o "$tmp/file13" -w '%{http_code} %{speed_download}' "$url/file")
if [ "${code%% *}" = 200 ] && cmp -s "$img" "$tmp/file13"; then
    ok "curl --tlsv1.3 fetches the 1 MiB disk byte for byte ($((${code#* } / 1024)) KiB/s)"
else
    fail "curl --tlsv1.3 fetches the 1 MiB disk byte for byte: status '$code', $(cmp "$img" "$tmp/file13" 2>&1 | head -n 1)"
fi

code=$(curl_ns --tlsv1.2 --tls-max 1.2 -o "$tmp/page12" -o "$tmp/file12" \
    -w '%{http_code} ' "$url/" "$url/file")
if [ "$code" = "200 200 " ] && cmp -s "$tmp/page" "$tmp/page12" && cmp -s "$img" "$tmp/file12"; then
    ok "curl --tlsv1.2 --tls-max 1.2 fetches the page and the disk byte for byte"
else
    fail "curl --tlsv1.2 --tls-max 1.2 fetches the page and the disk byte for byte: statuses '$code'"
fi

code=$(curl_ns -6 -o "$tmp/page6" -w '%{http_code}' 'https://[fd00::2]/')
if [ "$code" = 200 ] && cmp -s "$tmp/page" "$tmp/page6"; then
    ok "curl -6 fetches the page over IPv6 (fd00::2)"
else
    fail "curl -6 fetches the page over IPv6 (fd00::2): status '$code': $(show "$tmp/page6" 100)"
fi

out=$(curl_ns -v -o /dev/null -o /dev/null -o /dev/null \
    -w '%{http_code}:%{num_connects} ' "$url/" "$url/file" "$url/" 2>"$tmp/ka.err")
if [ "$out" = "200:1 200:0 200:0 " ]; then
    ok "keep-alive: three requests share one TLS connection"
else
    fail "keep-alive: three requests share one TLS connection: '$out'"
fi

s_client -tls1_3 >"$tmp/s13"
# "New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"
proto=$(sed -n 's/^New, \([^,]*\), Cipher is .*/\1/p' "$tmp/s13" | head -n 1)
suite=$(sed -n 's/^New, [^,]*, Cipher is //p' "$tmp/s13" | head -n 1)
if [ "$proto" = TLSv1.3 ] && [ -n "$suite" ] && grep -q 'Verify return code: 0 (ok)' "$tmp/s13"; then
    ok "openssl s_client reports TLSv1.3 and its suite ($suite, chain verified)"
else
    fail "openssl s_client reports TLSv1.3 and its suite: protocol '$proto', suite '$suite': $(grep -m3 -iE 'error|verify' "$tmp/s13" | tr '\n' '|')"
fi

# A ticket: the first connection saves the session, the second offers it.
# s_client reads the ticket only if it waits for it: -ign_eof with a
# short input lets it read after the handshake.
(sleep 1; printf 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n') |
    in_ns timeout -k 5 20 openssl s_client -connect "$addr:443" -CAfile "$tmp/ca.pem" \
        -tls1_3 -sess_out "$tmp/sess" -ign_eof >"$tmp/t1" 2>&1
s_client -tls1_3 -sess_in "$tmp/sess" >"$tmp/t2"
if grep -q '^Reused, TLSv1.3' "$tmp/t2"; then
    ok "openssl s_client resumes a TLS 1.3 session from a ticket (Reused, TLSv1.3)"
else
    fail "openssl s_client resumes a TLS 1.3 session from a ticket: $(grep -m2 -E '^(New|Reused)' "$tmp/t1" "$tmp/t2" | tr '\n' '|')"
fi

# page_again: the page over a new TLS connection, as the "next client".
page_again() { [ "$(curl_ns -o /dev/null -w '%{http_code}' "$url/")" = 200 ]; }

# Garbage: bytes that are no TLS record.
in_ns timeout -k 5 10 bash -c "exec 3<>/dev/tcp/$addr/443; head -c 4096 /dev/urandom >&3; cat <&3 >/dev/null" 2>/dev/null
if page_again; then
    ok "a client that sends garbage is dropped, the next is served"
else
    fail "a client that sends garbage is dropped, the next is served: the next request failed"
fi

# Stalled: a ClientHello's first bytes, then silence past --idle (2 s).
in_ns timeout -k 5 10 bash -c "exec 3<>/dev/tcp/$addr/443; printf '\x16\x03\x01\x02\x00\x01' >&3; start=\$(date +%s%N); cat <&3 >/dev/null; echo \$(((\$(date +%s%N) - start) / 1000000))" >"$tmp/stall" 2>/dev/null
ms=$(cat "$tmp/stall")
if [ -n "$ms" ] && [ "$ms" -ge 1500 ] && [ "$ms" -le 8000 ] && page_again; then
    ok "a client that stops mid-handshake is dropped after --idle, the next is served (after $ms ms)"
else
    fail "a client that stops mid-handshake is dropped after --idle, the next is served: dropped after '$ms' ms"
fi

# Reset mid-record: a download cut by a reset from a client that stops
# reading, then an RST (SO_LINGER 0 through curl's abort: --max-time).
in_ns timeout -k 5 10 curl -sS --cacert "$tmp/ca.pem" --limit-rate 20k --max-time 1 \
    -o /dev/null "$url/file" 2>/dev/null
if page_again; then
    ok "a client that resets mid-record is dropped, the next is served"
else
    fail "a client that resets mid-record is dropped, the next is served: the next request failed"
fi

# tls_client: its own namespace's TAP, tap1, at 10.0.0.3 beside tap0,
# bridged: the two unikernels talk through the host's bridge.
tls_client_run() { # OUT CA-IMAGE ARGS...
    local out=$1 ca=$2
    shift 2
    in_ns timeout -k 5 30 "$client" --net:service=tap1 --block:tls="$ca" -- \
        "$addr" 10.0.0.3 --seconds=20 "$@" >"$tmp/$out" 2>&1
}
if in_ns ip tuntap add dev tap1 mode tap && in_ns ip link add br0 type bridge &&
    in_ns ip link set tap0 master br0 && in_ns ip link set tap1 master br0 &&
    in_ns ip addr del 10.0.0.1/24 dev tap0 && in_ns ip addr add 10.0.0.1/24 dev br0 &&
    in_ns ip link set tap1 up && in_ns ip link set br0 up 2>"$tmp/br.err"; then
    sleep 1
    tls_client_run c1 "$tmp/ca.img" --name=miou.test --path=/file
    want=$(fnv "$img")
    if grep -q "status 200, 1048576 body bytes, digest $want\$" "$tmp/c1"; then
        ok "tls_client verifies the server and prints the disk's digest ($want)"
    else
        fail "tls_client verifies the server and prints the disk's digest ($want): $(lastlines "$tmp/c1")"
    fi
    tls_client_run c2 "$tmp/ca.img" --name=wrong.test
    if grep -q 'handshake: .*(MIOU_EHOSTNAME)' "$tmp/c2"; then
        ok "tls_client refuses a wrong host name (MIOU_EHOSTNAME)"
    else
        fail "tls_client refuses a wrong host name (MIOU_EHOSTNAME): $(lastlines "$tmp/c2")"
    fi
else
    fail "tls_client verifies the server and prints the disk's digest: cannot bridge tap1: $(show "$tmp/br.err")"
fi
stop $((seconds + 20))
if [ "$status" = 0 ] && grep -qE 'lwIP holds 0 connections, 0 listeners, 0 pbufs, 0 heap bytes; [0-9]+ TLS handshakes, [0-9]+ failed; mbedTLS holds 0 sessions, 0 bytes' "$tmp/hosted.out"; then
    ok "the unikernel ends with lwIP and mbedTLS holding nothing ($(grep -oE '[0-9]+ TLS handshakes, [0-9]+ failed' "$tmp/hosted.out"))"
else
    fail "the unikernel ends with lwIP and mbedTLS holding nothing: exit status $status: $(lastlines "$tmp/hosted.out")"
fi

# The refusals: a server with an expired certificate, then one of
# another CA.
for kind in expired other; do
    in_ns ip neigh flush dev br0 2>/dev/null
    start "srv-$kind" '^https: serving port ' ip netns exec "$ns" "$prog" \
        --net:service=tap0 --block:storage="$img" --block:tls="$tmp/$kind.img" -- \
        "$addr" --seconds=8 || continue
    if [ $kind = expired ]; then
        tls_client_run c3 "$tmp/ca.img" --name=miou.test
        if grep -q 'handshake: .*(MIOU_EEXPIRED)' "$tmp/c3"; then
            ok "tls_client refuses an expired certificate (MIOU_EEXPIRED)"
        else
            fail "tls_client refuses an expired certificate (MIOU_EEXPIRED): $(lastlines "$tmp/c3")"
        fi
    else
        tls_client_run c4 "$tmp/ca.img" --name=miou.test
        if grep -q 'handshake: .*(MIOU_EUNTRUSTED)' "$tmp/c4"; then
            ok "tls_client refuses an untrusted CA (MIOU_EUNTRUSTED)"
        else
            fail "tls_client refuses an untrusted CA (MIOU_EUNTRUSTED): $(lastlines "$tmp/c4")"
        fi
    fi
    stop 20
done

# ---- The same example under solo5-spt.
if [ -n "${SOLO5_HOME:-}" ]; then
    tender=$SOLO5_HOME/tenders/spt/solo5-spt
else
    tender=$(command -v solo5-spt)
fi
if [ -z "$tender" ] || [ ! -x "$tender" ]; then
    skip "under solo5-spt, curl fetches the page and the disk" "Solo5 not found (export SOLO5_HOME)"
    exit 0
fi
uk=build/spt/examples/https.spt
if [ ! -x "$uk" ] && ! timeout -k 5 600 make --no-print-directory PLATFORM=solo5 \
    ${SOLO5_HOME:+SOLO5_HOME="$SOLO5_HOME"} -j2 "$uk" >"$tmp/spt-build.log" 2>&1; then
    fail "under solo5-spt, curl fetches the page and the disk: $uk does not build: $(grep -E 'error|\*\*\*' "$tmp/spt-build.log" | head -n 3 | tr '\n' '|')"
    exit 0
fi
in_ns ip neigh flush dev br0 2>/dev/null
if start spt '^https: serving port ' ip netns exec "$ns" "$tender" \
    --net:service=tap0 --block:storage="$img" --block:tls="$tmp/tls.img" "$uk" \
    --solo5:quiet "$addr" --ipv6-address=fd00::2 --seconds=10; then
    code=$(curl_ns -o "$tmp/spt.page" -o "$tmp/spt.file" -w '%{http_code} ' "$url/" "$url/file")
    stop 30
    if [ "$code" = "200 200 " ] && cmp -s "$tmp/page" "$tmp/spt.page" && cmp -s "$img" "$tmp/spt.file" &&
        grep -q 'mbedTLS holds 0 sessions, 0 bytes' "$tmp/spt.out"; then
        ok "under solo5-spt, curl fetches the page and the disk (and mbedTLS ends holding nothing)"
    else
        fail "under solo5-spt, curl fetches the page and the disk: statuses '$code': $(lastlines "$tmp/spt.out")"
    fi
fi
exit 0
