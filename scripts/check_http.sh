#!/usr/bin/env bash
# The http example (examples/http.c), against the host's curl: a unikernel
# serving a page and the content of its disk over HTTP/1.1, on the
# library's TCP/IP stack, inside a network namespace that this script
# creates (miou-test-PID-http, holding the TAP interface tap0 and the
# address 10.0.0.1, deleted on every way out), never on the host's own
# network. It checks the page, the disk read back byte for byte (also by
# four clients at once), HEAD, 404, 405, 400, 431, keep-alive (one
# connection for several requests), pipelined requests, HTTP/1.0 and
# "Connection: close", idle connections closed after --idle, and that the
# unikernel ends with lwIP holding nothing. When Solo5 is found
# (SOLO5_HOME, a built Solo5 tree: tenders/spt/solo5-spt), the page and
# the disk are fetched again from the same example as a solo5-spt
# unikernel (build/spt/examples/http.spt, built here when missing).
# Needs root, ip (iproute2), /dev/net/tun and curl; without them its cases
# are SKIPPED. Prints one test line per case.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
# shellcheck source=scripts/lib/solo5.sh
. scripts/lib/solo5.sh
check_begin http
build=${BUILD:-build/hosted}
prog=$build/examples/http
addr=10.0.0.2
url=http://$addr
# The disk: a whole number of 512-byte blocks, not a multiple of the
# server's 64 KiB reads (its last read is short).
img_size=$((3 * 1024 * 1024 + 512))
# How long each unikernel runs (--seconds): the cases below take a few
# seconds; every connection must be over before it ends.
hosted_seconds=20
spt_seconds=10

hosted_cases=("GET / is 200 with the page"
    "GET /file is the disk image byte for byte"
    "four clients at once read the disk image byte for byte"
    "HEAD /file gives the disk's size as Content-Length and no body"
    "an unknown path is 404"
    "POST is 405 with Allow: GET, HEAD"
    "three requests of one curl command share one connection"
    "pipelined requests are answered in order on one connection"
    "Connection: close is honoured"
    "HTTP/1.0 closes unless keep-alive is asked"
    "a malformed request is 400, and the connection serves nothing more"
    "HTTP/1.1 without Host is 400"
    "a request with a 10 KiB header is refused with 431"
    "a connection idle for --idle seconds is closed"
    "a request left unfinished for --idle seconds is closed"
    "the unikernel ends after --seconds, lwIP holding no connection nor buffer")
spt_cases=("GET / under solo5-spt is the same page as on hosted"
    "GET /file under solo5-spt is the disk image byte for byte"
    "under solo5-spt, the unikernel ends with lwIP holding nothing")

# skip_all REASON: every case skipped, and exit 0.
skip_all() {
    local what
    for what in "${hosted_cases[@]}" "${spt_cases[@]}"; do
        skip "$what" "$1"
    done
    exit 0
}

command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
need_built "$prog"
tap_netns "miou-test-$$-http" || skip_all "$why"
img=$tmp/disk.img
head -c "$img_size" /dev/urandom >"$img"

# curl_ns ARGS...: curl in the namespace, at most 30 s, quiet but for
# its errors.
curl_ns() { in_ns timeout -k 5 30 curl -sS --max-time 25 "$@"; }

# A client that curl cannot be: it sends the bytes of a file in one
# write, then reads one response per METHOD given (a HEAD response has no
# body), printing for each "STATUS LENGTH CONNECTION" and leaving its
# body in DIR/body.N; then "extra" if more bytes come within 1 s, and
# "end". "idle" instead of a file sends nothing and prints "closed MS"
# when the server closes, MS milliseconds later, or "open" after 10 s.
#   client.sh HOST FILE|idle|partial DIR METHOD...
cat >"$tmp/client.sh" <<'EOF'
host=$1 what=$2 dir=$3
shift 3
exec 3<>"/dev/tcp/$host/80" || exit 2
if [ "$what" = idle ] || [ "$what" = partial ]; then
    [ "$what" = partial ] && printf 'GET / HTTP/1.1\r\nHost: x\r\n' >&3
    start=$(date +%s%N)
    if IFS= read -r -t 10 _ <&3; then echo data; exit 0; fi
    rc=$?
    [ $rc -gt 128 ] && { echo open; exit 0; }
    echo "closed $((($(date +%s%N) - start) / 1000000))"
    exit 0
fi
cat "$what" >&3
n=0
for method in "$@"; do
    n=$((n + 1))
    IFS= read -r -t 5 status <&3 || { echo "eof"; exit 0; }
    status=${status%$'\r'}
    len=0 conn=-
    while IFS= read -r -t 5 line <&3; do
        line=${line%$'\r'}
        [ -z "$line" ] && break
        case "${line,,}" in
        content-length:*) len=${line#*: } ;;
        connection:*) conn=${line#*: } ;;
        esac
    done
    : >"$dir/body.$n"
    if [ "$method" != HEAD ] && [ "$len" -gt 0 ]; then
        head -c "$len" <&3 >"$dir/body.$n"
    fi
    echo "$(echo "$status" | cut -d' ' -f2) $len $conn"
done
IFS= read -r -t 1 -n 1 _ <&3 && echo extra
echo end
EOF
# client OUT FILE|idle|partial METHOD...: run the client in the namespace
# (at most 30 s); its lines in OUT, the bodies in $tmp/OUT.d/.
client() {
    local out=$1 what=$2
    shift 2
    mkdir -p "$tmp/$out.d"
    in_ns timeout -k 5 30 bash "$tmp/client.sh" "$addr" "$what" "$tmp/$out.d" "$@" >"$tmp/$out" 2>&1
}
# request NAME TEXT: a file $tmp/NAME of TEXT with \r\n for each \n.
request() { printf '%s' "$2" | sed 's/$/\r/' >"$tmp/$1"; }

# header FILE NAME: the value of the header NAME (any case) in the
# headers curl dumped (-D) into FILE, its last occurrence.
header() { tr -d '\r' <"$1" | sed -n "s/^$2: *//Ip" | tail -n 1; }

start_label="the http example"

# ---- The hosted unikernel.
if start hosted '^http: serving port ' ip netns exec "$ns" "$prog" \
    --net:service=tap0 --block:storage="$img" -- "$addr" \
    --seconds=$hosted_seconds --idle=2; then

    # GET /: the page, as long as it says, naming the library.
    code=$(curl_ns -D "$tmp/page.h" -o "$tmp/page" -w '%{http_code}' "$url/")
    if [ "$code" = 200 ] && grep -q '^text/html' <<<"$(header "$tmp/page.h" content-type)" &&
        [ "$(header "$tmp/page.h" content-length)" = "$(wc -c <"$tmp/page")" ] &&
        grep -q '<html>' "$tmp/page" && grep -q 'miou-solo5' "$tmp/page"; then
        ok "GET / is 200 with the page ($(wc -c <"$tmp/page") bytes of text/html)"
    else
        fail "GET / is 200 with the page: status '$code', headers '$(show "$tmp/page.h")', body '$(show "$tmp/page" 100)'"
    fi

    # GET /file: the disk, byte for byte.
    code=$(curl_ns -o "$tmp/file" -w '%{http_code} %{speed_download}' "$url/file")
    if [ "${code%% *}" = 200 ] && cmp -s "$img" "$tmp/file"; then
        ok "GET /file is the disk image byte for byte ($img_size bytes, $((${code#* } / 1024)) KiB/s)"
    else
        fail "GET /file is the disk image byte for byte: status '$code', $(wc -c <"$tmp/file" 2>/dev/null) bytes, $(cmp "$img" "$tmp/file" 2>&1 | head -n 1)"
    fi

    # Four at once: each connection's task reads the disk in turn.
    pids=()
    for i in 1 2 3 4; do
        ip netns exec "$ns" timeout -k 5 30 curl -sS --max-time 25 \
            -o "$tmp/par.$i" "$url/file" 2>"$tmp/par.$i.err" &
        pids+=($!)
    done
    same=0
    for i in 1 2 3 4; do
        wait "${pids[$((i - 1))]}"
        cmp -s "$img" "$tmp/par.$i" && same=$((same + 1))
    done
    if [ $same = 4 ]; then
        ok "four clients at once read the disk image byte for byte"
    else
        fail "four clients at once read the disk image byte for byte: $same of 4 did: $(cat "$tmp"/par.*.err | head -c 300 | tr '\n' '|')"
    fi

    # HEAD /file: the length, no body.
    out=$(curl_ns -I -o "$tmp/head.h" -w '%{http_code} %{size_download}' "$url/file")
    len=$(header "$tmp/head.h" content-length)
    if [ "$out" = "200 0" ] && [ "$len" = "$img_size" ]; then
        ok "HEAD /file gives the disk's size as Content-Length and no body ($len)"
    else
        fail "HEAD /file gives the disk's size as Content-Length and no body: status and body '$out', Content-Length '$len'"
    fi

    code=$(curl_ns -o /dev/null -w '%{http_code}' "$url/nosuchthing")
    if [ "$code" = 404 ]; then
        ok "an unknown path is 404"
    else
        fail "an unknown path is 404: status '$code'"
    fi

    code=$(curl_ns -X POST -d 'hello' -D "$tmp/post.h" -o /dev/null -w '%{http_code}' "$url/")
    allow=$(header "$tmp/post.h" allow)
    if [ "$code" = 405 ] && [ "$allow" = "GET, HEAD" ]; then
        ok "POST is 405 with Allow: GET, HEAD"
    else
        fail "POST is 405 with Allow: GET, HEAD: status '$code', Allow '$allow'"
    fi

    # Keep-alive: curl connects once, then re-uses the connection.
    out=$(curl_ns -v -o /dev/null -o /dev/null -o /dev/null \
        -w '%{http_code}:%{num_connects} ' "$url/" "$url/file" "$url/" 2>"$tmp/ka.err")
    if [ "$out" = "200:1 200:0 200:0 " ] &&
        [ "$(grep -c 'Re-using existing connection' "$tmp/ka.err")" = 2 ]; then
        ok "three requests of one curl command share one connection"
    else
        fail "three requests of one curl command share one connection: statuses and connections made '$out', $(grep -c 'Re-using' "$tmp/ka.err") re-uses"
    fi

    # Pipelined: three requests in one write; the server keeps what
    # follows a request for the next one.
    request pipe $'GET / HTTP/1.1\nHost: a\n\nHEAD /file HTTP/1.1\nHost: a\n\nGET /nosuchthing HTTP/1.1\nHost: a\n\n'
    client pipe.out "$tmp/pipe" GET HEAD GET
    if [ "$(tr '\n' '|' <"$tmp/pipe.out")" = "200 $(wc -c <"$tmp/page") -|200 $img_size -|404 $(wc -c <"$tmp/pipe.out.d/body.3") -|end|" ] &&
        cmp -s "$tmp/page" "$tmp/pipe.out.d/body.1"; then
        ok "pipelined requests are answered in order on one connection (GET /, HEAD /file, GET 404)"
    else
        fail "pipelined requests are answered in order on one connection: $(show "$tmp/pipe.out")"
    fi

    out=$(curl_ns -H 'Connection: close' -D "$tmp/close.h" -o /dev/null -o /dev/null \
        -w '%{num_connects} ' "$url/" "$url/")
    if [ "$out" = "1 1 " ] && [ "$(grep -ci '^connection: close' "$tmp/close.h")" = 2 ]; then
        ok "Connection: close is honoured (answered with it, and a new connection for the next request)"
    else
        fail "Connection: close is honoured: connections made '$out', headers '$(show "$tmp/close.h")'"
    fi

    out=$(curl_ns -0 -D "$tmp/h10.h" -o /dev/null -o /dev/null -w '%{num_connects} ' "$url/" "$url/")
    out2=$(curl_ns -0 -H 'Connection: keep-alive' -D "$tmp/h10ka.h" -o /dev/null -o /dev/null \
        -w '%{num_connects} ' "$url/" "$url/")
    if [ "$out" = "1 1 " ] && [ "$(grep -ci '^connection: close' "$tmp/h10.h")" = 2 ] &&
        [ "$out2" = "1 0 " ] && [ "$(grep -ci '^connection: keep-alive' "$tmp/h10ka.h")" = 2 ]; then
        ok "HTTP/1.0 closes unless keep-alive is asked"
    else
        fail "HTTP/1.0 closes unless keep-alive is asked: connections made '$out' and with keep-alive '$out2', headers '$(show "$tmp/h10.h" 200)' '$(show "$tmp/h10ka.h" 200)'"
    fi

    # A malformed request line, then a good request in the same write:
    # 400 with Connection: close, and nothing more on that connection.
    request bad $'NONSENSE\n\nGET / HTTP/1.1\nHost: a\n\n'
    client bad.out "$tmp/bad" GET
    if [ "$(tr '\n' '|' <"$tmp/bad.out")" = "400 $(wc -c <"$tmp/bad.out.d/body.1") close|end|" ]; then
        ok "a malformed request is 400, and the connection serves nothing more (Connection: close)"
    else
        fail "a malformed request is 400, and the connection serves nothing more: $(show "$tmp/bad.out")"
    fi

    request nohost $'GET / HTTP/1.1\n\n'
    client nohost.out "$tmp/nohost" GET
    if grep -q '^400 .* close$' "$tmp/nohost.out"; then
        ok "HTTP/1.1 without Host is 400"
    else
        fail "HTTP/1.1 without Host is 400: $(show "$tmp/nohost.out")"
    fi

    big=$(head -c 10240 /dev/zero | tr '\0' a)
    code=$(curl_ns -H "X-Big: $big" -D "$tmp/big.h" -o /dev/null -w '%{http_code}' "$url/")
    if [ "$code" = 431 ] && grep -qi '^connection: close' "$tmp/big.h"; then
        ok "a request with a 10 KiB header is refused with 431 (Connection: close)"
    else
        fail "a request with a 10 KiB header is refused with 431: status '$code', headers '$(show "$tmp/big.h")'"
    fi

    # --idle=2: a silent connection, and one whose request never ends.
    client idle.out idle
    ms=$(sed -n 's/^closed //p' "$tmp/idle.out")
    if [ -n "$ms" ] && [ "$ms" -ge 1500 ] && [ "$ms" -le 6000 ]; then
        ok "a connection idle for --idle seconds is closed (--idle=2: after $ms ms)"
    else
        fail "a connection idle for --idle seconds is closed (--idle=2): $(show "$tmp/idle.out")"
    fi
    client partial.out partial
    ms=$(sed -n 's/^closed //p' "$tmp/partial.out")
    if [ -n "$ms" ] && [ "$ms" -ge 1500 ] && [ "$ms" -le 6000 ]; then
        ok "a request left unfinished for --idle seconds is closed (--idle=2: after $ms ms)"
    else
        fail "a request left unfinished for --idle seconds is closed (--idle=2): $(show "$tmp/partial.out")"
    fi

    # The end: every connection closed, the counters at zero.
    stop $((hosted_seconds + 20))
    if [ "$status" = 0 ] &&
        grep -qE '^http: [0-9]+ connections, [0-9]+ requests, [0-9]+ bytes sent, [0-9]+ in TIME-WAIT reused; lwIP holds 0 connections, 0 listeners, 0 pbufs' "$tmp/hosted.out"; then
        ok "the unikernel ends after --seconds, lwIP holding no connection nor buffer ($(grep -oE '[0-9]+ requests' "$tmp/hosted.out"))"
    else
        fail "the unikernel ends after --seconds, lwIP holding no connection nor buffer: exit status $status: $(lastlines "$tmp/hosted.out")"
    fi
fi

# ---- The same example as a solo5-spt unikernel.
spt_skip() {
    local what
    for what in "${spt_cases[@]}"; do
        skip "$what" "$1"
    done
    exit 0
}
# The tender as the Makefile finds Solo5: in SOLO5_HOME, else on PATH.
if [ -n "${SOLO5_HOME:-}" ]; then
    tender=$SOLO5_HOME/tenders/spt/solo5-spt
    [ -x "$tender" ] || tender=$SOLO5_HOME/bin/solo5-spt
else
    tender=$(command -v solo5-spt)
fi
if [ -z "$tender" ] || [ ! -x "$tender" ]; then
    spt_skip "Solo5 not found (export SOLO5_HOME, a built Solo5 tree with tenders/spt/solo5-spt, or put solo5-spt on PATH)"
fi
uk=build/spt/examples/http.spt
spt_built "$uk" || exit 0
# The namespace still knows the hosted unikernel's MAC address for
# 10.0.0.2: forget it, so that the first request does not wait for the
# stale entry to time out.
in_ns ip neigh flush dev tap0 2>/dev/null
if start spt '^http: serving port ' ip netns exec "$ns" "$tender" \
    --net:service=tap0 --block:storage="$img" "$uk" --solo5:quiet "$addr" \
    --seconds=$spt_seconds; then
    code=$(curl_ns -o "$tmp/spt.page" -w '%{http_code}' "$url/")
    if [ "$code" = 200 ] && [ -s "$tmp/page" ] && cmp -s "$tmp/page" "$tmp/spt.page"; then
        ok "GET / under solo5-spt is the same page as on hosted"
    else
        fail "GET / under solo5-spt is the same page as on hosted: status '$code', body '$(show "$tmp/spt.page" 100)'"
    fi
    code=$(curl_ns -o "$tmp/spt.file" -w '%{http_code}' "$url/file")
    if [ "$code" = 200 ] && cmp -s "$img" "$tmp/spt.file"; then
        ok "GET /file under solo5-spt is the disk image byte for byte"
    else
        fail "GET /file under solo5-spt is the disk image byte for byte: status '$code', $(wc -c <"$tmp/spt.file" 2>/dev/null) bytes"
    fi
    stop $((spt_seconds + 20))
    if [ "$status" = 0 ] && grep -q 'lwIP holds 0 connections, 0 listeners, 0 pbufs' "$tmp/spt.out"; then
        ok "under solo5-spt, the unikernel ends with lwIP holding nothing"
    else
        fail "under solo5-spt, the unikernel ends with lwIP holding nothing: exit status $status: $(lastlines "$tmp/spt.out")"
    fi
fi
exit 0
