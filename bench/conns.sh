#!/usr/bin/env bash
# bench/conns.sh - many keep-alive connections in one unikernel, beside
# nginx in the same run (BENCHMARKS.md): the http example, hosted and
# under solo5-spt, and nginx 1.22 serving the same page, each in turn
# holding CONNS_N (100,000) connections from tests/tools/connhold, run as
# several processes from several addresses (scripts/lib/conns.sh), each
# connection sending GET / every CONNS_INTERVAL (5) seconds, every
# response checked byte for byte (but for its Date). Per server:
#
#   - the connections' time to connect, and the request rate and the
#     worst latency over CONNS_HOLD (10) seconds of those requests;
#   - with all of them idle: the server's resident memory grown per
#     connection (/proc/PID/status, VmRSS: the unikernel's process, the
#     spt tender; nginx's workers, summed), and the unikernel's own count
#     of its heap in use grown per connection (its --stats line: under
#     Solo5 everything it allocates; on hosted the library's region,
#     task stacks and records, while its malloc() is the host's);
#   - the whole resident memory at that time per connection (nginx's
#     workers allocate their table of worker_connections connections at
#     start: the growth alone leaves it out);
#   - their ratios to nginx's resident memory per connection (grown,
#     and whole).
#
#     SOLO5_HOME=/root/solo5 bench/conns.sh         # about 2 minutes
#
# Namespaces (PID is this script's): miou-conns-PID-u (tap0 at 10.0.0.1,
# the unikernel at 10.0.0.2, the clients at 10.0.0.11 and on, then .21
# and on for spt: a client's port pairs stay in TIME-WAIT a minute),
# miou-conns-PID-s (nginx at 10.1.0.2 on the veth mcv1s) and
# miou-conns-PID-c (its clients at 10.1.0.11 and on, on mcv1c); deleted
# on every way out. The servers on CPU 1, the clients on CPU 0.
#
# nginx: one worker per client process and two more (a worker holds at
# most what one process may open), each listening (reuseport) with
# worker_connections and worker_rlimit_nofile at the open files one
# process may have, keepalive_timeout and keepalive_requests out of the
# way, access_log off, its Date and Server headers its own.
#
# Output: RESULT lines ("RESULT conns KEY VALUE UNIT", " spt" at the end
# for the unikernel under solo5-spt) in $OUT/results.txt, each server's
# and client's output beside it. OUT: CONNS_OUT, default
# $BUILD/bench/conns (emptied first). Needs root, ip, taskset and two
# CPUs, /dev/net/tun, nginx (scripts/deps.sh bench), and enough open
# files per process; otherwise SKIPPED with the reason. Exit status 1 if
# a run failed.
set -u
cd "$(dirname "$0")/.." || exit 1

B=${BUILD:-build/hosted}
N=${CONNS_N:-100000}
INTERVAL=${CONNS_INTERVAL:-5}
HOLD=${CONNS_HOLD:-10}
OUT=${CONNS_OUT:-$B/bench/conns}
CONNHOLD=$B/tests/tools/connhold
NS_U=miou-conns-$$-u
NS_S=miou-conns-$$-s
NS_C=miou-conns-$$-c
# shellcheck source=scripts/lib/conns.sh
. scripts/lib/conns.sh
# shellcheck source=scripts/lib/solo5.sh
. scripts/lib/solo5.sh

BENCH_NAME=conns
STOP_TENTHS=100
# shellcheck source=bench/lib/servers.sh
. bench/lib/servers.sh

mkdir -p "$OUT" || exit 1
rm -rf "${OUT:?}"/*
: >"$OUT/results.txt"

bench_needs nginx
[ -n "$why" ] || conns_plan "$N"
[ -n "$why" ] && skipped "$why"

echo "+ make -j2 $B/examples/http $CONNHOLD"
make -j2 "$B/examples/http" "$CONNHOLD" >"$OUT/build.log" 2>&1 ||
    { tail -n 20 "$OUT/build.log"; fail "build (see $OUT/build.log)"; exit 1; }
SPT=$(solo5_find solo5-spt)
SPT_HTTP=build/spt/examples/http.spt
if [ -n "$SPT" ]; then
    echo "+ make PLATFORM=solo5 $SPT_HTTP"
    make PLATFORM=solo5 -j2 "$SPT_HTTP" >"$OUT/spt-build.log" 2>&1 ||
        { fail "the Solo5 build of $SPT_HTTP (see $OUT/spt-build.log)"; SPT=; }
else
    echo "SKIPPED conns spt: solo5-spt not found (set SOLO5_HOME to a built Solo5 tree)"
fi

# --- the namespaces -------------------------------------------------------------
bench_tmpdir || exit 1
if ! { ns_add "$NS_U" && ns_add "$NS_S" && ns_add "$NS_C" &&
    ip netns exec "$NS_U" ip tuntap add dev tap0 mode tap &&
    ip netns exec "$NS_U" ip addr add 10.0.0.1/24 dev tap0 &&
    ip netns exec "$NS_U" ip link set tap0 txqueuelen 20000 &&
    ip netns exec "$NS_U" ip link set tap0 up &&
    ip link add mcv1s type veth peer name mcv1c &&
    ip link set mcv1s netns "$NS_S" && ip link set mcv1c netns "$NS_C" &&
    ip netns exec "$NS_S" ip addr add 10.1.0.2/24 dev mcv1s &&
    ip netns exec "$NS_C" ip addr add 10.1.0.1/24 dev mcv1c &&
    ip netns exec "$NS_S" ip link set mcv1s up &&
    ip netns exec "$NS_C" ip link set mcv1c up; } 2>"$OUT/netns.err"; then
    skipped "cannot make the namespaces and their interfaces: $(head -c 200 "$OUT/netns.err")"
fi
head -c 4096 /dev/zero >"$TMPD/disk.img"

PIN_CLIENT=(taskset -c 0)
PIN_SERVER=(taskset -c 1)
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(uname -sr); $(nproc) CPUs"
    echo "nginx: $(nginx -v 2>&1 | cut -d' ' -f3); solo5: ${SPT:-none}"
    echo "connections: $N in $conns_procs client processes (${conns_counts[*]}), a request every $INTERVAL s, $HOLD s counted; open files per process: $(ulimit -Hn)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"

# rss_of PID...: their resident KiB, summed.
rss_of() {
    local p s=0 v
    for p in "$@"; do
        v=$(rss_kib "$p")
        s=$((s + ${v:-0}))
    done
    echo "$s"
}

# hold NAME NS DEV PREFIX FIRST ADDRESS PIDS...: the clients against
# ADDRESS, from PREFIX.FIRST and on; once all are idle, the resident
# memory of PIDS (called as rss_of) in $rss1 (and before the clients, in
# $rss0); in $OUT/NAME.txt: "connected_s rate max_ms".
hold() {
    local name=$1 ns=$2 dev=$3 prefix=$4 first=$5 addr=$6
    shift 6
    conns_sources "$ns" "$dev" "$prefix" "$first" ||
        { fail "$name: cannot add the clients' addresses"; return 1; }
    mkdir -p "$OUT/$name"
    rss0=$(rss_of "$@")
    conns_start_pinned "$ns" "$addr" 80 "$OUT/$name" --interval="$INTERVAL" \
        --hold="$HOLD" --idle=60 --timeout=300
    if ! conns_wait_idle 200; then
        fail "$name: $why"
        conns_release 30
        return 1
    fi
    sleep 1
    rss1=$(rss_of "$@")
    return 0
}
# conns_start, with the clients pinned to CPU 0; stopped at exit too.
conns_start_pinned() {
    CONNS_PIN=("${PIN_CLIENT[@]}")
    conns_start "$@"
    BENCH_MORE_PIDS=("${conns_pids[@]}")
}
# after NAME KEY MARK: the clients of NAME released; the RESULT lines,
# KEY_...
after() {
    local name=$1 key=$2 mark=$3
    if ! conns_release 120; then
        fail "$name: $why"
        return 1
    fi
    local connected
    connected=$(sed -n 's/.* connected in \([0-9.]*\) s.*/\1/p' "$OUT/$name"/client.* | sort -g | tail -n 1)
    local name=$key
    result "${name}_held $N connections$mark"
    result "${name}_rate $conns_rate req/s$mark"
    result "${name}_latency_max $conns_max_ms ms$mark"
    result "${name}_connect_s $connected s$mark"
    result "${name}_rss_per_conn $(((rss1 - rss0) * 1024 / N)) B$mark"
    result "${name}_rss_total_per_conn $((rss1 * 1024 / N)) B$mark"
}

# --- the unikernels -----------------------------------------------------------
# unikernel KIND FIRST: the http example, hosted or spt, at 10.0.0.2.
unikernel() {
    local kind=$1 first=$2 log=$OUT/http-$1.log mark='' name=http
    if [ "$kind" = spt ]; then
        mark=" spt"
        ip netns exec "$NS_U" "${PIN_SERVER[@]}" "$SPT" --mem=2048 \
            --net:service=tap0 --block:storage="$TMPD/disk.img" "$SPT_HTTP" \
            --solo5:quiet 10.0.0.2 --idle=600 --stats=1 --seconds=600 >"$log" 2>&1 &
    else
        ip netns exec "$NS_U" "${PIN_SERVER[@]}" "$B/examples/http" --mem=2048 \
            --net:service=tap0 --block:storage="$TMPD/disk.img" -- 10.0.0.2 \
            --idle=600 --stats=1 --seconds=600 >"$log" 2>&1 &
    fi
    local server=$!
    PIDS+=("$server")
    ip netns exec "$NS_U" ip neigh flush dev tap0 2>/dev/null
    if ! wait_line "$log" '^http: serving' "$server" 100; then
        fail "$kind http did not start: $(head -c 300 "$log" | tr '\n' '|')"
        stop_pid "$server"
        return 1
    fi
    local heap0 open heap
    read -r _ heap0 _ < <(conns_fresh_stats "$log")
    echo "+ $kind: $N connections"
    if hold "$kind" "$NS_U" tap0 10.0.0 "$first" 10.0.0.2 "$server"; then
        read -r open heap _ < <(conns_fresh_stats "$log")
        if [ "${open:-0}" != "$N" ]; then
            fail "$kind: the server says ${open:-nothing} open, wanted $N"
        fi
        after "$kind" "$name" "$mark" &&
            result "${name}_heap_per_conn $(((heap - heap0) / N)) B$mark"
    fi
    stop_pid "$server"
}

# --- nginx ------------------------------------------------------------------------
nginx_run() {
    local dir=$TMPD/nginx workers=$((conns_procs + 2)) master
    mkdir -p "$dir/tmp" "$dir/www" && chmod 755 "$dir" "$dir/www" || return 1
    # The unikernel's page, as nginx's index.
    if [ ! -s "$TMPD/page.html" ]; then
        fail "no page from the unikernel for nginx"
        return 1
    fi
    cp "$TMPD/page.html" "$dir/www/index.html" && chmod 644 "$dir/www/index.html"
    cat >"$dir/nginx.conf" <<EOF
# bench/conns.sh: nginx holding many keep-alive connections.
daemon off;
master_process on;
worker_processes $workers;
worker_rlimit_nofile $(ulimit -Hn);
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections $CONNS_PER; }
http {
    access_log off;
    keepalive_timeout 600s;
    keepalive_requests 1000000000;
    client_body_temp_path $dir/tmp;
    proxy_temp_path $dir/tmp;
    fastcgi_temp_path $dir/tmp;
    uwsgi_temp_path $dir/tmp;
    scgi_temp_path $dir/tmp;
    types { text/html html; }
    server {
        listen 10.1.0.2:80 reuseport backlog=4096;
        root $dir/www;
        location = / { try_files /index.html =404; }
    }
}
EOF
    # Whether it answers or not, the count of its workers below says.
    nginx_start "$dir" "$OUT/nginx.log" "${PIN_SERVER[@]}"
    master=$NGINX_PID
    local pids
    read -r -a pids < <(cat "/proc/$master/task/$master/children" 2>/dev/null)
    if [ "${#pids[@]}" != "$workers" ]; then
        fail "nginx: ${#pids[@]} workers, wanted $workers: $(head -c 300 "$dir/error.log" | tr '\n' '|')"
        stop_pid "$master"
        return 1
    fi
    echo "+ nginx ($workers workers): $N connections"
    if hold nginx "$NS_C" mcv1c 10.1.0 11 10.1.0.2 "${pids[@]}"; then
        after nginx nginx ""
    fi
    stop_pid "$master"
}

# The page: the unikernel's, fetched once, for nginx to serve the same
# bytes (its headers are its own).
ip netns exec "$NS_U" "$B/examples/http" --net:service=tap0 \
    --block:storage="$TMPD/disk.img" -- 10.0.0.2 --seconds=5 >"$OUT/page.log" 2>&1 &
page_pid=$!
PIDS+=("$page_pid")
wait_line "$OUT/page.log" '^http: serving' "$page_pid" 50 &&
    ip netns exec "$NS_U" curl -s --max-time 3 -o "$TMPD/page.html" http://10.0.0.2/
stop_pid "$page_pid"

unikernel hosted 11
[ -n "$SPT" ] && unikernel spt 21
nginx_run

# Ratios: ours over nginx's resident memory per connection.
awk '$1 == "RESULT" && $3 ~ /_rss_per_conn$|_heap_per_conn$|_rss_total_per_conn$/ { v[$3 ($6 == "spt" ? " spt" : "")] = $4 }
    END {
        n = v["nginx_rss_per_conn"]
        t = v["nginx_rss_total_per_conn"]
        if (n <= 0) exit
        for (k in v) {
            if (k ~ /^nginx/ || k ~ /_rss_total_/) continue
            split(k, w, " ")
            printf "RESULT conns %s_over_nginx_rss %.3f x%s\n", w[1], v[k] / n, (w[2] == "spt" ? " spt" : "")
            if (t > 0)
                printf "RESULT conns %s_over_nginx_rss_total %.3f x%s\n", w[1], v[k] / t, (w[2] == "spt" ? " spt" : "")
        }
    }' "$OUT/results.txt" | sort | tee -a "$OUT/results.txt"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
[ -s "$OUT/failures.txt" ] && exit 1
exit 0
