#!/usr/bin/env bash
# bench/tls.sh - TLS benchmarks (make bench, part tls): the https example
# (hosted, and under solo5-spt when Solo5 is found) against nginx (Debian's
# package, one worker), the same ECDSA P-256 certificate, TLS 1.3, no
# session cache nor tickets on either side, in the same run:
#
#   keepalive   wrk -t1 -c100 -dD https://ADDR/: requests/s of the page
#               on kept-alive connections, and the server's CPU time per
#               request
#   handshake   the same with "Connection: close": a new connection, so a
#               full handshake, per request: new connections/s, and the
#               server's CPU time per handshake (/proc/PID/stat)
#   bulk        wrk -t1 -c4 -dD https://ADDR/file: the 1 MiB disk image,
#               MB/s
#   idle        IDLE (500) TLS connections opened by python3's ssl and
#               left idle: the server's resident memory after, less
#               before, per connection (the unikernel's process, the spt
#               tender's, nginx's worker)
#
# Placement: the servers on CPU 1 (the unikernel, the tender, nginx's
# worker), wrk and the idle client on CPU 0. The unikernel is at 10.0.0.2
# on tap0 of the namespace miou-tlsb-PID-c, where wrk runs; nginx at
# 10.1.0.2 in miou-tlsb-PID-s behind a veth pair (offloads off, as a
# unikernel has none): each request crosses one kernel hop either way.
# Both namespaces are made here and deleted at exit. Rounds: ROUNDS (3),
# each server in turn; the median is reported. Output: RESULT lines
# ("RESULT tls NAME VALUE UNIT"), in TLS_OUT (a temporary folder).
# Needs root, ip, taskset, two CPUs, /dev/net/tun, wrk, nginx, openssl,
# python3; else SKIPPED with the reason.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/tls_certs.sh
. scripts/lib/tls_certs.sh
ROUNDS=${ROUNDS:-3}
D=${WRK_SECONDS:-8}
IDLE=${IDLE:-500}
B=${BUILD:-build/hosted}
OUT=${TLS_OUT:-$(mktemp -d)}
mkdir -p "$OUT"
TMPD=$(mktemp -d)
NS_C=miou-tlsb-$$-c
NS_S=miou-tlsb-$$-s
PIDS=()

cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    sleep 0.5
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$NS_C" 2>/dev/null
    ip netns del "$NS_S" 2>/dev/null
    rm -rf "$TMPD"
}
trap cleanup EXIT
result() { echo "RESULT tls $*" | tee -a "$OUT/results.txt"; }
skipped() { echo "SKIPPED tls: $*"; exit 0; }

why=
if [ "$(id -u)" != 0 ]; then why="not root"
elif [ "$(nproc)" -lt 2 ]; then why="fewer than two CPUs"
elif [ ! -c /dev/net/tun ]; then why="no /dev/net/tun"
else
    for t in ip taskset wrk nginx openssl python3; do
        command -v $t >/dev/null 2>&1 || { why="no $t (scripts/deps.sh bench)"; break; }
    done
fi
[ -z "$why" ] || skipped "$why"
make -j2 "$B/examples/https" >"$OUT/build.log" 2>&1 || skipped "$B/examples/https does not build (see $OUT/build.log)"
make_test_certs "$TMPD" || skipped "openssl cannot make certificates"
chmod 755 "$TMPD"
head -c 1048576 /dev/urandom >"$TMPD/disk.img"

SPT=
if [ -n "${SOLO5_HOME:-}" ] && [ -x "$SOLO5_HOME/tenders/spt/solo5-spt" ]; then
    SPT=$SOLO5_HOME/tenders/spt/solo5-spt
    make -j2 PLATFORM=solo5 SOLO5_HOME="$SOLO5_HOME" build/spt/examples/https.spt \
        >"$OUT/spt-build.log" 2>&1 || SPT=
fi

# The namespaces: tap0 for the unikernel, a veth pair to nginx's.
ip netns add "$NS_C" && ip netns add "$NS_S" || skipped "cannot make namespaces"
in_c() { ip netns exec "$NS_C" "$@"; }
in_s() { ip netns exec "$NS_S" "$@"; }
in_c ip link set lo up
in_s ip link set lo up
in_c ip tuntap add dev tap0 mode tap
in_c ip addr add 10.0.0.1/24 dev tap0
in_c ip link set tap0 up
in_c ip link add vc type veth peer name vs
in_c ip link set vs netns "$NS_S"
in_c ip addr add 10.1.0.1/24 dev vc
in_s ip addr add 10.1.0.2/24 dev vs
in_c ip link set vc up
in_s ip link set vs up
for pair in "c vc" "s vs"; do
    set -- $pair
    ip netns exec "miou-tlsb-$$-$1" ethtool -K "$2" tx off rx off tso off gso off gro off \
        >/dev/null 2>&1 || true
done

# ---- Servers.

uk_start() { # uk_start hosted|spt: the https example, its pid in UK_PID
    local cmd
    if [ "$1" = hosted ]; then
        cmd=("$B/examples/https" --net:service=tap0 --block:storage="$TMPD/disk.img"
            --block:tls="$TMPD/tls.img" -- 10.0.0.2 --no-tickets --idle=60)
    else
        cmd=("$SPT" --mem=512 --net:service=tap0 --block:storage="$TMPD/disk.img"
            --block:tls="$TMPD/tls.img" build/spt/examples/https.spt --solo5:quiet
            10.0.0.2 --no-tickets --idle=60)
    fi
    in_c ip neigh flush dev tap0 2>/dev/null
    ip netns exec "$NS_C" taskset -c 1 "${cmd[@]}" >"$OUT/uk-$1.log" 2>&1 &
    UK_PID=$!
    PIDS+=("$UK_PID")
    for _ in $(seq 50); do
        grep -q '^https: serving' "$OUT/uk-$1.log" && return 0
        sleep 0.1
    done
    echo "FAILED: tls: the https example ($1) did not start: $(tail -c 300 "$OUT/uk-$1.log")"
    return 1
}
uk_stop() {
    kill "$UK_PID" 2>/dev/null
    wait "$UK_PID" 2>/dev/null
}

nginx_start() {
    local dir=$TMPD/nginx
    mkdir -p "$dir/html" "$dir/tmp"
    # The same page as the unikernel's (saved from it by the first round).
    [ -s "$TMPD/page" ] && cp "$TMPD/page" "$dir/html/index.html"
    [ -s "$dir/html/index.html" ] || echo '<html>page</html>' >"$dir/html/index.html"
    cp "$TMPD/disk.img" "$dir/html/file"
    chmod -R a+rX "$dir"
    cat >"$dir/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
master_process on;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp;
    fastcgi_temp_path $dir/tmp; uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    open_file_cache max=16;
    server {
        listen 443 ssl;
        ssl_certificate $TMPD/server.pem;
        ssl_certificate_key $TMPD/server.key;
        ssl_protocols TLSv1.3;
        ssl_session_cache off;
        ssl_session_tickets off;
        root $dir/html;
        location = /file { default_type application/octet-stream; }
    }
}
NGINX
    ip netns exec "$NS_S" nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" \
        >"$OUT/nginx.log" 2>&1 &
    NGINX_PID=$!
    PIDS+=("$NGINX_PID")
    for _ in $(seq 50); do
        NGINX_WORKER=$(pgrep -P "$NGINX_PID" | head -n 1)
        [ -n "$NGINX_WORKER" ] && break
        sleep 0.1
    done
    [ -n "$NGINX_WORKER" ] || { echo "FAILED: tls: nginx did not start"; return 1; }
    taskset -pc 1 "$NGINX_WORKER" >/dev/null
}

# ---- Measures.

# wrk_rps ADDRESS PATH CONNS [HEADER]: requests/s (its log in $OUT).
wrk_rps() {
    local log=$OUT/wrk.$RANDOM.log
    in_c taskset -c 0 wrk -t1 -c"$3" -d"${D}s" --timeout 5s ${4:+-H "$4"} \
        "https://$1$2" >"$log" 2>&1
    sed -n 's/^Requests\/sec: *//p' "$log"
}

# per_request TICKS RATE UNIT: TICKS of CPU over a wrk run of D seconds
# at RATE requests/s, per request, in seconds times UNIT.
per_request() {
    awk -v t="$1" -v r="$2" -v u="$3" -v hz="$(getconf CLK_TCK)" -v d="$D" \
        'BEGIN { if (r > 0) printf "%.3f\n", t * u / hz / (r * d) }'
}

# cpu_ticks PID: user and system time of PID so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# rss PID: resident KiB.
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }

# idle_per_conn ADDRESS PID: bytes of the server's RSS per idle TLS
# connection (IDLE of them, held by python3 until the RSS is read).
idle_per_conn() {
    local before after py
    before=$(rss "$2")
    : >"$TMPD/idle.out"
    in_c taskset -c 0 python3 -c '
import socket, ssl, sys, time
addr, n, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
conns = []
for i in range(n):
    s = socket.create_connection((addr, 443), timeout=10)
    conns.append(ctx.wrap_socket(s, server_hostname=addr))
print("open", flush=True)
time.sleep(4)
' "$1" "$IDLE" "$TMPD/ca.pem" >"$TMPD/idle.out" 2>&1 &
    py=$!
    for _ in $(seq 600); do
        grep -q open "$TMPD/idle.out" && break
        kill -0 "$py" 2>/dev/null || break
        sleep 0.1
    done
    sleep 1
    after=$(rss "$2")
    wait "$py" 2>/dev/null
    if grep -q open "$TMPD/idle.out"; then
        echo $(((after - before) * 1024 / IDLE))
    else
        echo "FAILED: tls: idle client: $(tail -c 200 "$TMPD/idle.out")" >&2
    fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

echo "tls bench: wrk -t1 -d${D}s; $ROUNDS rounds; idle: $IDLE connections; $(nginx -v 2>&1 | cut -d' ' -f3), $(openssl version | cut -d' ' -f1-2)"
servers=(hosted)
[ -n "$SPT" ] && servers+=(spt)
servers+=(nginx)
for r in $(seq "$ROUNDS"); do
    for s in "${servers[@]}"; do
        if [ "$s" = nginx ]; then
            nginx_start || continue
            addr=10.1.0.2 pid=$NGINX_WORKER
        else
            uk_start "$s" || continue
            addr=10.0.0.2
            pid=$UK_PID
        fi
        # Memory first, on a server that has served nothing yet: the
        # allocators keep what the wrk runs took.
        idle_per_conn $addr "$pid" >>"$OUT/$s.idle"
        in_c taskset -c 0 wrk -t1 -c10 -d1s "https://$addr/" >/dev/null 2>&1 # warm-up
        [ -s "$TMPD/page" ] || in_c curl -sk "https://$addr/" -o "$TMPD/page"
        # Each rate with the server's CPU time per request: what a request
        # costs it, whatever the client and the machine's other load let
        # through (in µs; in ms per handshake).
        t0=$(cpu_ticks "$pid")
        ka=$(wrk_rps $addr / 100)
        t1=$(cpu_ticks "$pid")
        hs=$(wrk_rps $addr / 100 'Connection: close')
        t2=$(cpu_ticks "$pid")
        echo "$ka" >>"$OUT/$s.keepalive"
        echo "$hs" >>"$OUT/$s.handshake"
        per_request $((t1 - t0)) "$ka" 1000000 >>"$OUT/$s.kacpu"
        per_request $((t2 - t1)) "$hs" 1000 >>"$OUT/$s.cpu"
        rps=$(wrk_rps $addr /file 4)
        awk -v r="$rps" 'BEGIN { printf "%.1f\n", r * 1.048576 }' >>"$OUT/$s.bulk"
        echo "round $r $s: keep-alive $(tail -n1 "$OUT/$s.keepalive") req/s ($(tail -n1 "$OUT/$s.kacpu") us of CPU each), handshakes $(tail -n1 "$OUT/$s.handshake")/s ($(tail -n1 "$OUT/$s.cpu") ms of CPU each), bulk $(tail -n1 "$OUT/$s.bulk") MB/s, idle $(tail -n1 "$OUT/$s.idle") B/conn"
        if [ "$s" = nginx ]; then
            kill "$NGINX_PID" 2>/dev/null
            wait "$NGINX_PID" 2>/dev/null
        else
            uk_stop
        fi
    done
done
for s in "${servers[@]}"; do
    result "${s}_keepalive_rps $(median <"$OUT/$s.keepalive") req/s"
    result "${s}_cpu_us_per_keepalive_request $(median <"$OUT/$s.kacpu") us"
    result "${s}_handshakes_per_s $(median <"$OUT/$s.handshake") conn/s"
    result "${s}_cpu_ms_per_handshake $(median <"$OUT/$s.cpu") ms"
    result "${s}_bulk_MBps $(median <"$OUT/$s.bulk") MB/s"
    result "${s}_idle_bytes_per_conn $(median <"$OUT/$s.idle") B"
done
