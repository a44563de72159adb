#!/usr/bin/env bash
# bench/tcpip.sh - the TCP/IP benchmarks (BENCHMARKS.md; the runs so far:
# docs/benchmarks-history.md, section 9): the http example under wrk
# against nginx, over IPv4 and over IPv6, bulk TCP through the echo
# example against Linux's own TCP, and name resolutions against dnsmasq,
# each baseline measured in the same run, in network namespaces made
# here and deleted on every way out.
# bench/run.sh runs it as its part "tcpip"; it also runs alone:
#
#     SOLO5_HOME=/opt/solo5/src bench/tcpip.sh     # about 14 minutes
#
# Namespaces (PID is this script's):
#   miou-tcpip-PID-u    TAP interface tap0, 10.0.0.1/24 and fd00::1/64: the
#                       unikernel at 10.0.0.2 and fd00::2 on tap0, and its
#                       clients (wrk, tcpload); dnsmasq for the dns part
#   miou-tcpip-PID-s    the Linux servers, nginx and bench/linux_echo, on
#                       10.1.0.2 (veth pair mtv1s/mtv1c) and 10.2.0.2 (veth
#                       pair mtv2s/mtv2c, made with gso_max_segs 1: there
#                       Linux sends one MSS per packet, as it must to a TAP)
#   miou-tcpip-PID-c    their clients, at 10.1.0.1 and 10.2.0.1
# IPv6 off on every interface but tap0; MTU 1500 everywhere.
#
# Placement: the clients (wrk -t1, tcpload) on CPU 0, the servers (the
# unikernel, the spt tender, nginx's master and worker, linux_echo) on
# CPU 1 (taskset). The kernel's work mostly follows the process that
# causes it: a frame written to the TAP, or a segment sent over veth, is
# received by the kernel inside the writer's system call (netif_rx, then
# the softirq when bottom halves are enabled again).
#
# Parts (TCPIP_PARTS, default "http bulk dns profile"):
#
# http: for each of TCPIP_ROUNDS rounds (3), each server in a rotating
# order (ours hosted, over IPv4 and over IPv6, "hosted6"; the same under
# solo5-spt when Solo5 is found, "spt" and "spt6"; nginx, one worker,
# over IPv4): a 1 s warm-up, then for each path (PATHS, "/ /file": the page,
# and a FILE_BYTES disk image, 4096) and each number of connections
# (CONNS, "1 10 100"):
#     wrk -t1 -cN -dDs --timeout 5s --latency http://ADDRESS/PATH   (D: WRK_SECONDS, 10)
# Requests/s, latency p50 and p99 (wrk's own figures), and each CPU's
# busy share over the run (/proc/stat). The unikernel is started for its
# round and ended after it (SIGTERM); nginx runs throughout. nginx serves
# the same bytes (the page as our server sends it, fetched from it first;
# the same image), with Debian's usual settings (sendfile, tcp_nopush)
# and access_log off, keepalive_requests raised so that, like ours, it
# never closes a connection while wrk runs, and open_file_cache on (no
# open, fstat and close of the file per request). nginx with worker_processes
# auto (2 workers, not pinned; wrk stays on CPU 0) is measured at the
# largest CONNS on the first path, for information (NGINX_AUTO=0: not).
# HTTP_ARGS: more arguments for the http example (experiments).
#
# The IPv6 runs give KEY_rps_v6 and their ratio to IPv4's of the same
# run, KEY_v6_over_v4 (the unikernel is the same; only the family
# differs).
#
# dns: the resolve example (--bench=DNS_COUNT, 2000) against dnsmasq in
# the unikernel's namespace (--address=/bench.test/10.0.0.1 and fd00::1,
# TTL 300 s: dnsmasq's own answers have TTL 0 unless --local-ttl says
# otherwise, and we keep nothing of TTL 0): resolutions of A and AAAA per
# second with our cache flushed
# before each (every one a query to dnsmasq: cold) and from our cache
# (warm); hosted and spt.
#
# bulk: tcpload bulk ADDRESS 7 BYTES (BULK_MIB MiB, 512: sent and echoed
# at once over one connection, every byte checked) against examples/echo
# (hosted; spt) and bench/linux_echo (built here with cc: the example's
# loop, reads of up to 16 KiB written back) over each veth pair,
# TCPIP_ROUNDS rounds in a rotating order; MB/s echoed, each CPU's busy
# share, and the CPU time of both CPUs per byte echoed.
#
# profile (unless NO_PERF=1; needs perf): two more wrk runs (PROFILE_
# SECONDS, 10) at the largest CONNS on the first path per server (hosted,
# spt, nginx's worker): one under `perf stat -p SERVER` (CPU time, system
# calls per request), one with `perf record -C 1` over its middle (all of
# the servers' CPU, kernel included; PERF_RECORD_OPTS, e.g. -g, are more
# options of perf record); reports in the output folder.
#
# Output: RESULT lines as bench/run.sh's ("RESULT tcpip KEY VALUE UNIT",
# " spt" at the end for the unikernel under solo5-spt): medians of the
# rounds, and ratios to nginx and Linux of the same run; the runs in
# $OUT/http.txt and $OUT/bulk.txt, every program's output, the profiles.
# OUT: TCPIP_OUT, default $BUILD/bench/tcpip (emptied first). Needs root,
# ip, taskset and two CPUs, /dev/net/tun, curl, wrk and nginx
# (scripts/deps.sh bench); otherwise SKIPPED with the reason. Exit status
# 1 if a run failed.
set -u
cd "$(dirname "$0")/.." || exit 1

B=${BUILD:-build/hosted}
ROUNDS=${TCPIP_ROUNDS:-3}
D=${WRK_SECONDS:-10}
CONNS=${CONNS:-1 10 100}
PATHS=${PATHS:-/ /file}
BULK_MIB=${BULK_MIB:-512}
OUT=${TCPIP_OUT:-$B/bench/tcpip}
CC=${CC:-cc}
NGINX_AUTO=${NGINX_AUTO:-1}
HTTP_ARGS=${HTTP_ARGS:-}
TCPIP_PARTS=${TCPIP_PARTS:-http bulk dns profile}
DNS_COUNT=${DNS_COUNT:-2000}
has() { case " $TCPIP_PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
FILE_BYTES=4096

NS_U=miou-tcpip-$$-u
NS_S=miou-tcpip-$$-s
NS_C=miou-tcpip-$$-c

BENCH_NAME=tcpip
# shellcheck source=bench/lib/servers.sh
. bench/lib/servers.sh

mkdir -p "$OUT" || exit 1
rm -rf "${OUT:?}"/*
: >"$OUT/results.txt"

# --- what it needs ----------------------------------------------------------
bench_needs wrk nginx curl
[ -n "$why" ] && skipped "$why"

echo "+ make -j2 $B/examples/http $B/examples/echo $B/examples/resolve $B/tests/tools/tcpload"
make -j2 "$B/examples/http" "$B/examples/echo" "$B/examples/resolve" "$B/tests/tools/tcpload" \
    >"$OUT/build.log" 2>&1 || { tail -n 20 "$OUT/build.log"; fail "build (see $OUT/build.log)"; exit 1; }
"$CC" -O2 -Wall -Wextra -Werror -o "$OUT/linux_echo" bench/linux_echo.c ||
    { fail "cc bench/linux_echo.c"; exit 1; }

# Solo5, found as bench/run.sh finds it; the two unikernels built if
# missing (mk/solo5.mk).
# shellcheck source=scripts/lib/solo5.sh
. scripts/lib/solo5.sh
SPT=$(solo5_find solo5-spt)
SPT_HTTP=build/spt/examples/http.spt
SPT_ECHO=build/spt/examples/echo.spt
SPT_RESOLVE=build/spt/examples/resolve.spt
if [ -n "$SPT" ]; then
    echo "+ make PLATFORM=solo5 $SPT_HTTP $SPT_ECHO $SPT_RESOLVE"
    if ! make PLATFORM=solo5 -j2 "$SPT_HTTP" "$SPT_ECHO" "$SPT_RESOLVE" >"$OUT/spt-build.log" 2>&1; then
        tail -n 10 "$OUT/spt-build.log"
        fail "the Solo5 build of $SPT_HTTP and $SPT_ECHO (see $OUT/spt-build.log)"
        SPT=
    fi
else
    echo "SKIPPED tcpip spt: solo5-spt not found (set SOLO5_HOME to a built Solo5 tree)"
fi

# --- the namespaces -----------------------------------------------------------
bench_tmpdir || exit 1
# ns_add6 NAME: a namespace of ours with IPv6 off.
ns_add6() {
    ns_add "$1" &&
        ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1
}
veth() { # veth N [OPTION...]: the pair mtvNs (10.N.0.2) / mtvNc (10.N.0.1)
    local n=$1
    shift
    ip link add "mtv${n}s" "$@" type veth peer name "mtv${n}c" &&
        ip link set "mtv${n}s" netns "$NS_S" &&
        ip link set "mtv${n}c" netns "$NS_C" &&
        ip netns exec "$NS_S" ip addr add "10.$n.0.2/24" dev "mtv${n}s" &&
        ip netns exec "$NS_C" ip addr add "10.$n.0.1/24" dev "mtv${n}c" &&
        ip netns exec "$NS_S" ip link set "mtv${n}s" up &&
        ip netns exec "$NS_C" ip link set "mtv${n}c" up
}
if ! { ns_add6 "$NS_U" && ns_add6 "$NS_S" && ns_add6 "$NS_C" &&
    ip netns exec "$NS_U" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
        net.ipv6.conf.default.disable_ipv6=0 &&
    ip netns exec "$NS_U" ip tuntap add dev tap0 mode tap &&
    ip netns exec "$NS_U" ip addr add 10.0.0.1/24 dev tap0 &&
    ip netns exec "$NS_U" ip -6 addr add fd00::1/64 dev tap0 nodad &&
    ip netns exec "$NS_U" ip link set tap0 up &&
    veth 1 && veth 2 gso_max_segs 1; } 2>"$OUT/netns.err"; then
    skipped "cannot make the namespaces and their interfaces: $(head -c 200 "$OUT/netns.err")"
fi

# The disk: FILE_BYTES of random bytes, the body of GET /file.
IMG=$TMPD/disk.img
head -c "$FILE_BYTES" /dev/urandom >"$IMG" && chmod 644 "$IMG" || exit 1

PIN_CLIENT=(taskset -c 0)
PIN_SERVER=(taskset -c 1)
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(nproc) CPUs, $(uname -sr)"
    echo "wrk: $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2); nginx: $(nginx -v 2>&1 | cut -d' ' -f3)"
    [ -n "$SPT" ] && echo "solo5: $("$SPT" --version 2>&1 | head -n 1) ($SPT)"
    echo "pinned: clients ${PIN_CLIENT[*]}, servers ${PIN_SERVER[*]}; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "rounds: $ROUNDS; wrk -t1 -d${D}s, connections: $CONNS; paths: $PATHS ($FILE_BYTES-byte image); bulk: $BULK_MIB MiB"
} | tee "$OUT/machine.txt"

# --- servers --------------------------------------------------------------------
SERVER= # the pid of the unikernel of the round
# start_uk KIND PROGRAM LOG: the unikernel PROGRAM (http or echo), hosted
# or spt (KIND), in NS_U on tap0 at 10.0.0.2, pinned; its pid in SERVER.
# KIND hosted6 or spt6: with fd00::2 too.
start_uk() {
    local kind=$1 prog=$2 log=$3 ready extra=()
    ready="^$prog: serving"
    # shellcheck disable=SC2206 # words, on purpose
    [ "$prog" = http ] && extra=(${HTTP_ARGS:-})
    # IPv6 too: its static address, usable at once.
    case $kind in *6) extra+=(--ipv6-address=fd00::2) kind=${kind%6} ;; esac
    if [ "$kind" = spt ]; then
        local uk=$SPT_HTTP
        [ "$prog" = echo ] && uk=$SPT_ECHO
        local dev=()
        [ "$prog" = http ] && dev=(--block:storage="$IMG")
        ip netns exec "$NS_U" "${PIN_SERVER[@]}" "$SPT" --mem=512 \
            --net:service=tap0 "${dev[@]}" "$uk" --solo5:quiet 10.0.0.2 \
            --seconds=3600 "${extra[@]}" >"$log" 2>&1 &
    else
        local dev=()
        [ "$prog" = http ] && dev=(--block:storage="$IMG")
        ip netns exec "$NS_U" "${PIN_SERVER[@]}" "$B/examples/$prog" \
            --net:service=tap0 "${dev[@]}" -- 10.0.0.2 --seconds=3600 \
            "${extra[@]}" >"$log" 2>&1 &
    fi
    SERVER=$!
    PIDS+=("$SERVER")
    # The host's neighbour entry for 10.0.0.2 is the previous unikernel's.
    ip netns exec "$NS_U" ip neigh flush dev tap0 2>/dev/null
    if ! wait_line "$log" "$ready" "$SERVER" 100; then
        fail "$kind $prog did not start: $(head -c 300 "$log" | tr '\n' '|')"
        stop_uk
        return 1
    fi
}
stop_uk() {
    [ -n "$SERVER" ] && stop_pid "$SERVER"
    SERVER=
}

# nginx, one worker pinned to CPU 1 (or WORKERS=auto, not pinned), in
# NS_S on 10.1.0.2:80, serving the page and the image; runs until the end.
NGINX=
nginx_conf() { # nginx_conf DIR WORKERS
    mkdir -p "$1/tmp" "$1/www" && chmod 755 "$1" "$1/www" || return 1
    cat >"$1/nginx.conf" <<EOF
# bench/tcpip.sh: nginx serving the same bytes as examples/http.
daemon off;
master_process on;
worker_processes $2;
pid $1/nginx.pid;
error_log $1/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 75s;
    keepalive_requests 1000000000;
    open_file_cache max=16 inactive=3600s;
    open_file_cache_valid 3600s;
    client_body_temp_path $1/tmp;
    proxy_temp_path $1/tmp;
    fastcgi_temp_path $1/tmp;
    uwsgi_temp_path $1/tmp;
    scgi_temp_path $1/tmp;
    types { text/html html; }
    charset utf-8;
    server {
        listen 10.1.0.2:80 reuseport;
        root $1/www;
        location = / { try_files /index.html =404; }
        location = /file { default_type application/octet-stream; charset off; alias $IMG; }
    }
}
EOF
}
start_nginx() { # start_nginx WORKERS: pid in NGINX_PID
    local dir=$TMPD/nginx-$1 pin=("${PIN_SERVER[@]}")
    [ "$1" = auto ] && pin=()
    nginx_conf "$dir" "$1" || return 1
    cp "$TMPD/page.html" "$dir/www/index.html" && chmod 644 "$dir/www/index.html" || return 1
    nginx_start "$dir" "$OUT/nginx-$1.log" "${pin[@]}" && return 0
    fail "nginx ($1 workers) did not start: $(cat "$OUT/nginx-$1.log" "$dir/error.log" 2>/dev/null | head -c 300 | tr '\n' '|')"
    return 1
}
nginx_worker() { # nginx_worker MASTER: the worker's pid
    awk '{ print $1 }' "/proc/$1/task/$1/children" 2>/dev/null
}

# --- measuring --------------------------------------------------------------------
cpu_ticks() { # "busy0 total0 busy1 total1" from /proc/stat
    awk '$1 == "cpu0" || $1 == "cpu1" {
        t = 0; for (i = 2; i <= NF; i++) t += $i
        printf "%d %d ", t - $5 - $6, t }' /proc/stat
}
to_us() { # wrk's "17.00us", "1.02ms", "1.20s" in microseconds
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) m = 1; else if (v ~ /ms$/) m = 1000; else if (v ~ /s$/) m = 1000000; else m = 0
        sub(/[a-z]+$/, "", v); printf "%.1f", v * m }'
}
# wrk_run SERVER PATH CONNS ROUND NS ADDRESS: one wrk run, its line in
# $OUT/http.txt: "server path conns round rps p50_us p99_us cpu0% cpu1%
# errors"; its output in $OUT/wrk-....log.
wrk_run() {
    local server=$1 path=$2 conns=$3 round=$4 ns=$5 addr=$6
    local tag
    tag=$(echo "$server-$path-c$conns-r$round" | tr '/' '_')
    local log=$OUT/wrk-$tag.log a b
    a=$(cpu_ticks)
    ip netns exec "$ns" "${PIN_CLIENT[@]}" timeout -k 5 $((D + 30)) \
        wrk -t1 -c"$conns" -d"${D}s" --timeout 5s --latency "http://$addr$path" >"$log" 2>&1
    local rc=$?
    b=$(cpu_ticks)
    local rps p50 p99 errors cpu
    rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$log")
    p50=$(to_us "$(awk '$1 == "50%" { print $2 }' "$log")")
    p99=$(to_us "$(awk '$1 == "99%" { print $2 }' "$log")")
    errors=$(awk '/Socket errors/ { gsub(",", ""); s = $4 + $6 + $8 + $10 }
                  /Non-2xx/ { n = $5 } END { print s + n + 0 }' "$log")
    cpu=$(echo "$a $b" | awk '{ printf "%.0f %.0f", 100 * ($5 - $1) / ($6 - $2), 100 * ($7 - $3) / ($8 - $4) }')
    if [ "$rc" != 0 ] || [ -z "$rps" ] || [ -z "$p50" ]; then
        fail "wrk $server $path -c$conns round $round (exit $rc; see $log)"
        return 1
    fi
    echo "$server $path $conns $round $rps $p50 $p99 $cpu $errors" | tee -a "$OUT/http.txt"
}
# http_round SERVER ROUND: warm-up, then every path and number of
# connections, against SERVER (hosted, spt, nginx, nginx-auto).
http_round() {
    local server=$1 round=$2 ns=$NS_U addr=10.0.0.2 path conns
    case $server in
    hosted | spt) start_uk "$server" http "$OUT/http-$server-r$round.log" || return 1 ;;
    hosted6 | spt6)
        start_uk "$server" http "$OUT/http-$server-r$round.log" || return 1
        addr="[fd00::2]" ;;
    nginx*) ns=$NS_C addr=10.1.0.2 ;;
    esac
    ip netns exec "$ns" "${PIN_CLIENT[@]}" wrk -t1 -c10 -d1s "http://$addr/" >/dev/null 2>&1
    if [ "$server" = nginx-auto ]; then
        conns=${CONNS##* }
        wrk_run "$server" "${PATHS%% *}" "$conns" "$round" "$ns" "$addr"
    else
        for path in $PATHS; do
            for conns in $CONNS; do
                wrk_run "$server" "$path" "$conns" "$round" "$ns" "$addr"
            done
        done
    fi
    case $server in hosted* | spt*) stop_uk ;; esac
}
# bulk_run SERVER ROUND: one tcpload bulk run; "server round MB/s seconds
# cpu0% cpu1% ns" in $OUT/bulk.txt (MB/s: bytes echoed / the whole time;
# ns: CPU time of both CPUs per byte echoed).
bulk_run() {
    local server=$1 round=$2 ns=$NS_U addr=10.0.0.2
    local log=$OUT/bulk-$server-r$round.log bytes=$((BULK_MIB * 1048576))
    case $server in
    hosted | spt) start_uk "$server" echo "$OUT/echo-$server-r$round.log" || return 1 ;;
    linux) ns=$NS_C addr=10.1.0.2 ;;
    linux-mss) ns=$NS_C addr=10.2.0.2 ;;
    esac
    local a b
    a=$(cpu_ticks)
    ip netns exec "$ns" "${PIN_CLIENT[@]}" timeout -k 5 150 \
        "$B/tests/tools/tcpload" bulk "$addr" 7 "$bytes" --timeout=120 >"$log" 2>&1
    local rc=$?
    b=$(cpu_ticks)
    case $server in hosted | spt) stop_uk ;; esac
    local secs
    secs=$(sed -n 's/.* in \([0-9.]*\) s: sent at.*/\1/p' "$log")
    if [ "$rc" != 0 ] || [ -z "$secs" ]; then
        fail "tcpload bulk $server round $round (exit $rc: $(head -c 200 "$log"))"
        return 1
    fi
    # The CPUs' busy shares over the whole tcpload process (its set-up
    # and connection included: a few ms).
    echo "$server $round $secs $bytes $a $b" | awk '{
        c0 = ($9 - $5) / ($10 - $6); c1 = ($11 - $7) / ($12 - $8)
        printf "%s %s %.1f %s %.0f %.0f %.2f\n", $1, $2, $4 / $3 / 1e6, $3,
            100 * c0, 100 * c1, (c0 + c1) * $3 / $4 * 1e9 }' |
        tee -a "$OUT/bulk.txt"
}

median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) exit
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# --- the page nginx serves: our server's own -------------------------------------------
start_uk hosted http "$OUT/http-page.log" || exit 1
ip netns exec "$NS_U" curl -s --max-time 5 -o "$TMPD/page.html" http://10.0.0.2/
ip netns exec "$NS_U" curl -s --max-time 5 -o "$TMPD/file.check" http://10.0.0.2/file
stop_uk
if [ ! -s "$TMPD/page.html" ] || ! cmp -s "$TMPD/file.check" "$IMG"; then
    fail "cannot fetch the page and the file from examples/http"
    exit 1
fi
start_nginx 1 || exit 1
NGINX=$NGINX_PID
for p in / /file; do
    ip netns exec "$NS_C" curl -s --max-time 5 -o "$TMPD/nginx.check" "http://10.1.0.2$p"
    want=$TMPD/page.html
    [ "$p" = /file ] && want=$IMG
    cmp -s "$TMPD/nginx.check" "$want" || { fail "nginx does not serve the same bytes for $p"; exit 1; }
done
ip netns exec "$NS_S" "${PIN_SERVER[@]}" "$OUT/linux_echo" 0.0.0.0 7 16384 \
    >"$OUT/linux_echo.log" 2>&1 &
ECHO_PID=$!
PIDS+=("$ECHO_PID")
wait_line "$OUT/linux_echo.log" '^linux_echo: listening' "$ECHO_PID" 50 ||
    { fail "linux_echo did not start"; exit 1; }

# --- HTTP ---------------------------------------------------------------------------
servers=(hosted hosted6 nginx)
[ -n "$SPT" ] && servers=(hosted hosted6 spt spt6 nginx)
echo "# server path conns round rps p50_us p99_us cpu0_busy% cpu1_busy% errors" >"$OUT/http.txt"
if has http; then
    echo "+ HTTP: $ROUNDS rounds of wrk -t1 -c{$CONNS} -d${D}s --latency on {$PATHS}, servers: ${servers[*]}"
    for ((r = 1; r <= ROUNDS; r++)); do
        for ((i = 0; i < ${#servers[@]}; i++)); do
            http_round "${servers[$(((r - 1 + i) % ${#servers[@]}))]}" "$r"
        done
    done
    if [ "$NGINX_AUTO" = 1 ]; then
        stop_pid "$NGINX"
        if start_nginx auto; then
            NGINX=$NGINX_PID
            for ((r = 1; r <= ROUNDS; r++)); do
                http_round nginx-auto "$r"
            done
            stop_pid "$NGINX"
        fi
        start_nginx 1 && NGINX=$NGINX_PID
fi
fi

# --- bulk -------------------------------------------------------------------------------
bulk_servers=(hosted linux linux-mss)
[ -n "$SPT" ] && bulk_servers=(hosted spt linux linux-mss)
echo "# server round MB_per_s seconds cpu0_busy% cpu1_busy% cpu_ns_per_byte(both CPUs)" >"$OUT/bulk.txt"
if has bulk; then
    echo "+ bulk: $ROUNDS rounds of tcpload bulk ADDRESS 7 $((BULK_MIB * 1048576)), servers: ${bulk_servers[*]}"
    for ((r = 1; r <= ROUNDS; r++)); do
        for ((i = 0; i < ${#bulk_servers[@]}; i++)); do
            bulk_run "${bulk_servers[$(((r - 1 + i) % ${#bulk_servers[@]}))]}" "$r"
        done
    done
fi

# --- medians and ratios -------------------------------------------------------------------
key_of() { # key_of PATH CONNS: page_c100, file_c1, ...
    local p=${1#/}
    echo "${p:-page}_c$2"
}
for path in $PATHS; do
    for conns in $CONNS; do
        k=$(key_of "$path" "$conns")
        for server in hosted hosted6 spt spt6 nginx nginx-auto; do
            n=$(awk -v s="$server" -v p="$path" -v c="$conns" '$1 == s && $2 == p && $3 == c' "$OUT/http.txt" | wc -l)
            [ "$n" = 0 ] && continue
            name=$k mark=
            case $server in
            hosted6) name=${k}_v6 ;;
            spt) mark=" spt" ;;
            spt6) name=${k}_v6 mark=" spt" ;;
            nginx) name=${k}_nginx ;;
            nginx-auto) name=${k}_nginx_auto ;;
            esac
            for col in 5:rps:req/s 6:p50:us 7:p99:us 8:cpu0:% 9:cpu1:%; do
                f=${col#*:}
                v=$(awk -v s="$server" -v p="$path" -v c="$conns" -v i="${col%%:*}" \
                    '$1 == s && $2 == p && $3 == c { print $i }' "$OUT/http.txt" | median)
                result "${name}_${f%%:*} $v ${f#*:}$mark"
            done
        done
    done
done
awk '$1 == "RESULT" && $2 == "tcpip" { v[$3 ($6 == "spt" ? " spt" : "")] = $4 }
    END {
        for (k in v) {
            split(k, w, " ")
            if (w[1] ~ /_v6_rps$/) {
                base = w[1]; sub(/_v6_rps$/, "_rps", base)
                b = base (w[2] == "spt" ? " spt" : "")
                if (v[b] > 0)
                    printf "RESULT tcpip %s %.3f x%s\n", substr(base, 1, length(base) - 4) "_v6_over_v4",
                        v[k] / v[b], (w[2] == "spt" ? " spt" : "")
                continue
            }
            if (w[1] !~ /_rps$/ || w[1] ~ /_nginx/) continue
            base = w[1]; sub(/_rps$/, "_nginx_rps", base)
            if (v[base] > 0)
                printf "RESULT tcpip %s %.3f x%s\n", substr(w[1], 1, length(w[1]) - 4) "_rps_over_nginx",
                    v[k] / v[base], (w[2] == "spt" ? " spt" : "")
        }
    }' "$OUT/results.txt" | sort | tee -a "$OUT/results.txt"
for server in hosted spt linux linux-mss; do
    for col in 3:MBps:MB/s 5:cpu0:% 6:cpu1:% 7:cpu_ns_per_byte:ns; do
        f=${col#*:}
        v=$(awk -v s="$server" -v i="${col%%:*}" '$1 == s { print $i }' "$OUT/bulk.txt" | median)
        [ -z "$v" ] && continue
        case $server in
        hosted) result "bulk_${f%%:*} $v ${f#*:}" ;;
        spt) result "bulk_${f%%:*} $v ${f#*:} spt" ;;
        linux) result "bulk_linux_${f%%:*} $v ${f#*:}" ;;
        linux-mss) result "bulk_linux_mss_${f%%:*} $v ${f#*:}" ;;
        esac
    done
done
awk '$1 == "RESULT" && $3 ~ /^bulk_/ { v[$3 ($6 == "spt" ? " spt" : "")] = $4 }
    END {
        if (v["bulk_linux_MBps"] > 0) {
            if ("bulk_MBps" in v) printf "RESULT tcpip bulk_over_linux %.3f x\n", v["bulk_MBps"] / v["bulk_linux_MBps"]
            if ("bulk_MBps spt" in v) printf "RESULT tcpip bulk_over_linux %.3f x spt\n", v["bulk_MBps spt"] / v["bulk_linux_MBps"]
        }
        if (v["bulk_linux_mss_MBps"] > 0) {
            if ("bulk_MBps" in v) printf "RESULT tcpip bulk_over_linux_mss %.3f x\n", v["bulk_MBps"] / v["bulk_linux_mss_MBps"]
            if ("bulk_MBps spt" in v) printf "RESULT tcpip bulk_over_linux_mss %.3f x spt\n", v["bulk_MBps spt"] / v["bulk_linux_mss_MBps"]
        }
    }' "$OUT/results.txt" | tee -a "$OUT/results.txt"

# --- names -------------------------------------------------------------------------------
# dns_run KIND: the resolve example, hosted or spt, --bench=DNS_COUNT
# against dnsmasq; "kind cold_per_s warm_per_s" in $OUT/dns.txt.
dns_run() {
    local kind=$1 log=$OUT/dns-$1.log cmd
    if [ "$kind" = spt ]; then
        cmd=("$SPT" --mem=512 --net:service=tap0 "$SPT_RESOLVE" --solo5:quiet)
    else
        cmd=("$B/examples/resolve" --net:service=tap0 --)
    fi
    ip netns exec "$NS_U" ip neigh flush dev tap0 2>/dev/null
    ip netns exec "$NS_U" "${PIN_SERVER[@]}" timeout -k 5 300 "${cmd[@]}" \
        www.bench.test --dns=10.0.0.1 --bench="$DNS_COUNT" >"$log" 2>&1
    local line
    line=$(sed -n 's/^resolve: [0-9]* resolutions of www.bench.test: \([0-9]*\) a second from the server (cache flushed), \([0-9]*\) from the cache$/\1 \2/p' "$log")
    if [ -z "$line" ]; then
        fail "resolve --bench ($kind): $(tail -n 3 "$log" | tr '\n' '|')"
        return 1
    fi
    echo "$kind $line" | tee -a "$OUT/dns.txt"
}
echo "# kind cold_per_s warm_per_s" >"$OUT/dns.txt"
if has dns; then
    if ! command -v dnsmasq >/dev/null 2>&1; then
        echo "SKIPPED tcpip dns: no dnsmasq"
    else
        ip netns exec "$NS_U" "${PIN_CLIENT[@]}" dnsmasq --no-daemon --port=53 \
            --interface=tap0 --bind-interfaces --no-resolv --no-hosts \
            --address=/bench.test/10.0.0.1 --address=/bench.test/fd00::1 \
            --local-ttl=300 \
            --pid-file="$TMPD/dnsmasq.pid" >"$OUT/dnsmasq.log" 2>&1 &
        DNSMASQ=$!
        PIDS+=("$DNSMASQ")
        sleep 0.5
        kinds=(hosted)
        [ -n "$SPT" ] && kinds=(hosted spt)
        echo "+ dns: $ROUNDS rounds of resolve --bench=$DNS_COUNT against dnsmasq, ${kinds[*]}"
        for ((r = 1; r <= ROUNDS; r++)); do
            for kind in "${kinds[@]}"; do
                dns_run "$kind"
            done
        done
        stop_pid "$DNSMASQ"
        for kind in hosted spt; do
            mark=
            [ "$kind" = spt ] && mark=" spt"
            for col in 2:cold 3:warm; do
                v=$(awk -v s="$kind" -v i="${col%%:*}" '$1 == s { print $i }' "$OUT/dns.txt" | median)
                [ -n "$v" ] && result "dns_${col#*:}_per_s $v /s$mark"
            done
        done
    fi
fi

# --- profiles -------------------------------------------------------------------------------
# Two more wrk runs at the largest number of connections on the first
# path, per server (hosted, spt, nginx's worker): the first under perf
# stat of the server's process (CPU time, system calls), the second with
# perf record -C 1 over its middle (the servers' CPU, kernel included;
# apart, so that the system-call tracepoints do not weigh on the profile).
# Requests come from wrk's summaries.
profile() { # profile SERVER
    local server=$1 ns=$NS_U addr=10.0.0.2 pid path=${PATHS%% *} conns=${CONNS##* }
    if [ "$server" = hosted ] || [ "$server" = spt ]; then
        start_uk "$server" http "$OUT/http-profile-$server.log" || return 1
        pid=$SERVER
    else
        ns=$NS_C addr=10.1.0.2 pid=$(nginx_worker "$NGINX")
        [ -n "$pid" ] || { fail "no nginx worker to profile"; return 1; }
    fi
    ip netns exec "$ns" "${PIN_CLIENT[@]}" wrk -t1 -c10 -d1s "http://$addr/" >/dev/null 2>&1
    local p=$OUT/perf-$server ps=${PROFILE_SECONDS:-10}
    perf stat -p "$pid" -o "$p.stat" -e task-clock,context-switches,raw_syscalls:sys_enter \
        -e 'syscalls:sys_enter_read,syscalls:sys_enter_readv,syscalls:sys_enter_write,syscalls:sys_enter_writev' \
        -e 'syscalls:sys_enter_ppoll,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendfile64,syscalls:sys_enter_setsockopt,syscalls:sys_enter_openat,syscalls:sys_enter_timerfd_settime,syscalls:sys_enter_clock_gettime' \
        -- sleep $((ps + 1)) >/dev/null 2>&1 &
    local stat=$!
    sleep 0.5
    ip netns exec "$ns" "${PIN_CLIENT[@]}" wrk -t1 -c"$conns" -d"${ps}s" --latency \
        "http://$addr$path" >"$p.stat.wrk" 2>&1
    wait "$stat"
    # shellcheck disable=SC2086 # PERF_RECORD_OPTS: words, on purpose
    ( sleep 2 && perf record -C 1 ${PERF_RECORD_OPTS:-} -o "$p.data" -- sleep $((ps / 2)) >"$p.record.log" 2>&1 ) &
    local rec=$!
    ip netns exec "$ns" "${PIN_CLIENT[@]}" wrk -t1 -c"$conns" -d"${ps}s" --latency \
        "http://$addr$path" >"$p.record.wrk" 2>&1
    wait "$rec"
    case $server in hosted | spt) stop_uk ;; esac
    perf report -i "$p.data" --no-children --sort comm,dso,symbol --stdio \
        --percent-limit 0.2 >"$p.report" 2>/dev/null
    perf report -i "$p.data" --no-children --sort comm,dso --stdio >"$p.dso" 2>/dev/null
    local req
    req=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$p.stat.wrk")
    echo "+ profile $server: $req requests under perf stat ($(sed -n 's/^Requests\/sec: *//p' "$p.stat.wrk") req/s), $(sed -n 's/^Requests\/sec: *//p' "$p.record.wrk") req/s under perf record; $p.{stat,report,dso}"
    # perf stat's lines: "1,230.08 msec task-clock # ..." and "186117
    # syscalls:sys_enter_readv # ..."; the calls that never happened
    # are left out.
    [ -n "$req" ] && [ "$req" -gt 0 ] && awk -v r="$req" -v s="$server" '
        { gsub(",", "", $1) }
        $2 == "msec" && $3 == "task-clock" {
            printf "RESULT tcpip profile_%s_cpu_us_per_request %.3f us\n", s, $1 * 1000 / r }
        $2 ~ /^(context-switches|syscalls:|raw_syscalls:)/ && $1 > 0 {
            n = $2; sub(/^syscalls:sys_enter_/, "", n); sub(/^raw_syscalls:sys_enter/, "all_syscalls", n)
            printf "RESULT tcpip profile_%s_%s_per_request %.3f calls\n", s, n, $1 / r }
        ' "$p.stat" | tee -a "$OUT/results.txt"
}
if has profile && [ "${NO_PERF:-0}" != 1 ] && command -v perf >/dev/null 2>&1; then
    echo "+ profiles: perf stat -p SERVER and perf record -C 1 during wrk -c(largest) on the first path"
    profile hosted
    [ -n "$SPT" ] && profile spt
    profile nginx
fi

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
echo "(runs in $OUT/http.txt and $OUT/bulk.txt, logs and profiles in $OUT/)"
[ -s "$OUT/failures.txt" ] && exit 1
exit 0
