#!/usr/bin/env bash
# bench/run.sh - build and run the benchmarks, then print a table of their
# figures (what `make bench` runs). Takes about 4 minutes.
#
# Every benchmark measures its baselines in the same process and reports
# medians of several rounds (ROUNDS, default 5). Baselines need x86_64, g++
# and libboost-context-dev (scripts/deps.sh bench installs them); without
# them, the benchmarks built by `make benches` run alone, without baselines.
#
# Environment: ROUNDS (5), BUILD (build/hosted), CC (gcc), CXX (g++),
# NO_CALLGRIND=1 to skip the instruction counts, PARTS ("core devices
# spt tcpip tls conns": the scheduler's benchmarks, the device benchmarks, the
# same under Solo5's spt tender, the TCP/IP benchmarks of bench/tcpip.sh,
# the TLS ones of bench/tls.sh, 100,000 connections held beside nginx
# by bench/conns.sh; any
# of them alone runs only that part), SOLO5_HOME (where Solo5 is, for
# "spt"; see below).
#
# Scheduler benchmarks ("core"): bench_switch, bench_spawn,
# bench_children, bench_mutex, bench_sleepers (10k, 100k and 1M
# sleepers), bench_memcpy (the freestanding C library's memcpy against
# glibc's: linked with the renamed copy, $BUILD/obj/libc-test/*.o, see
# mk/libc.mk) and bench_platform (the Solo5 calls under the scheduler:
# clock reads, the poll).
#
# Device benchmarks ("devices"):
#   block  bench_block on two disk images of BLOCK_MIB MiB (64) made in a
#          temporary folder, one of 512-byte and one of 4096-byte sectors,
#          against pread()/pwrite() on the same file in the same process;
#   ping   examples/ping (the library) and bench/baseline_ping (a plain
#          poll() loop with the same responder code) answering the host's
#          ping on a TAP interface, one after the other, in a network
#          namespace made here (miou-bench-PID) and deleted at exit; PING_
#          ROUNDS rounds (ROUNDS), each: PING_RTT pings 1 ms apart (1000),
#          then a flood of PING_FLOOD pings (20000). Needs root, ip, ping
#          and /dev/net/tun; otherwise SKIPPED with the reason.
#
# Solo5 ("spt"): the scheduler benchmarks (not bench_memcpy, which needs
# glibc), bench_platform and bench_block built as unikernels (mk/solo5-bench.mk:
# build/spt/bench/NAME.spt) and run under solo5-spt, pinned as the hosted
# ones, with the same arguments (bench_block on the same two images,
# without path=: its baseline there is solo5_block_read/write); and the
# ping benchmark with examples/ping built as build/spt/examples/ping.spt
# as a third responder in the same rounds as the hosted two (the
# "devices" part must be in PARTS for the hosted ones). Their RESULT lines
# are kept with an "spt" mark at the end, and the table shows them beside
# the hosted figures, with their ratio. Solo5 is found as mk/solo5.mk
# finds it: $SOLO5_HOME/{bin,toolchain/bin,tenders/spt,elftool}/NAME,
# else NAME on PATH, for x86_64-solo5-none-static-cc, solo5-elftool and
# solo5-spt; otherwise the part is SKIPPED with the reason. No callgrind
# there (valgrind cannot follow a unikernel under the spt tender).
#
# Output: the benchmarks' own lines, then the table; everything is also
# kept in $BUILD/bench/results/ (one log per benchmark, results.txt with
# every RESULT line, callgrind profiles of the instruction counts).
set -u
cd "$(dirname "$0")/.." || exit 1

ROUNDS=${ROUNDS:-5}
B=${BUILD:-build/hosted}
CC=${CC:-gcc}
CXX=${CXX:-g++}
OUT=$B/bench/full
RES=$B/bench/results
PARTS=${PARTS:-core devices spt tcpip tls conns}
BLOCK_MIB=${BLOCK_MIB:-64}
PING_ROUNDS=${PING_ROUNDS:-$ROUNDS}
PING_RTT=${PING_RTT:-1000}
PING_FLOOD=${PING_FLOOD:-20000}
part() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }

# What the device benchmarks leave behind goes at exit, however it comes:
# the temporary folder, a responder still running (by its pid), the
# network namespace.
TMPD=
NS=
RESPONDER=
cleanup() {
    if [ -n "$RESPONDER" ] && kill -0 "$RESPONDER" 2>/dev/null; then
        kill -KILL "$RESPONDER" 2>/dev/null
        wait "$RESPONDER" 2>/dev/null
    fi
    [ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
    [ -n "$TMPD" ] && rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

scripts/deps.sh bench
make -j2 benches || exit 1
mkdir -p "$OUT" "$RES"
rm -f "$RES"/*
: >"$RES/results.txt"

skipped() { # skipped WHAT REASON
    echo "SKIPPED $1: $2" | tee -a "$RES/skipped.txt"
}

# --- Solo5 (part spt): find it, build the unikernels ------------------
# SPT is the tender when the part runs, else empty.
# solo5_find NAME: Solo5's tool NAME, found as mk/solo5.mk does.
# shellcheck source=scripts/lib/solo5.sh
. scripts/lib/solo5.sh
SPT=
SPT_BENCHES="bench_switch bench_spawn bench_children bench_mutex bench_sleepers bench_block bench_platform"
if part spt; then
    solo5_cc=$(solo5_find "${SOLO5_ARCH:-$(uname -m)}-solo5-none-static-cc")
    solo5_elftool=$(solo5_find solo5-elftool)
    SPT=$(solo5_find solo5-spt)
    if [ -z "$solo5_cc" ] || [ -z "$solo5_elftool" ] || [ -z "$SPT" ]; then
        SPT=
        skipped spt "Solo5 not found (${SOLO5_ARCH:-$(uname -m)}-solo5-none-static-cc, solo5-elftool, solo5-spt): set SOLO5_HOME to a built Solo5 tree or put its tools on PATH"
    else
        # mk/solo5-bench.mk has the benchmarks' targets; until mk/solo5.mk
        # includes it, it is given to make here.
        mkfiles=()
        grep -q 'mk/solo5-bench.mk' mk/solo5.mk || mkfiles=(-f Makefile -f mk/solo5-bench.mk)
        targets=(build/spt/examples/ping.spt)
        for name in $SPT_BENCHES; do
            targets+=("build/spt/bench/$name.spt")
        done
        echo "+ make ${mkfiles[*]} PLATFORM=solo5 ${targets[*]} (log: $RES/spt-build.log)"
        if ! make "${mkfiles[@]}" PLATFORM=solo5 -j2 "${targets[@]}" >"$RES/spt-build.log" 2>&1; then
            tail -n 20 "$RES/spt-build.log"
            echo "FAILED: the Solo5 build of the benchmarks (see $RES/spt-build.log)" |
                tee -a "$RES/failures.txt"
            SPT=
        fi
    fi
fi

# --- build: each benchmark linked with the baselines ------------------
CFLAGS="-std=c11 -D_GNU_SOURCE -DMIOU_PLATFORM_HOSTED=1 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -Isrc"
baselines=0
if [ "$(uname -m)" = x86_64 ] && command -v "$CXX" >/dev/null 2>&1 &&
    [ -e /usr/include/boost/context/detail/fcontext.hpp ]; then
    baselines=1
fi
if [ "$baselines" = 1 ]; then
    if [ -e /usr/lib/x86_64-linux-gnu/libboost_context.a ]; then
        # Static, as the bare switch is: no PLT jump in front of each switch.
        boostlib=-l:libboost_context.a
    else
        boostlib=-lboost_context
    fi
    echo "+ building the benchmarks with their baselines into $OUT"
    "$CC" -c bench/bare_switch_x86_64.S -o "$OUT/bare_switch_x86_64.o" &&
        "$CXX" -O2 -g -Wall -Wextra -c bench/boost_shim.cpp -o "$OUT/boost_shim.o" ||
        exit 1
    for src in bench/bench_*.c; do
        name=$(basename "$src" .c)
        # A benchmark with devices is linked with its manifest, as
        # generated by the Makefile (make benches built it).
        manifest=
        if [ -e "bench/$name.manifest.json" ]; then
            manifest=$B/obj/gen/bench/$name.manifest.o
            [ -e "$manifest" ] || { echo "missing $manifest (make benches)"; exit 1; }
        fi
        # bench_memcpy measures the freestanding C library's renamed copy
        # (mk/libc.mk): its objects, not an archive (the reference is weak).
        libc=()
        if [ "$name" = bench_memcpy ]; then
            libc=("$B"/obj/libc-test/*.o)
            [ -e "${libc[0]}" ] || { echo "missing $B/obj/libc-test/*.o (make benches)"; exit 1; }
        fi
        "$CC" $CFLAGS -c "$src" -o "$OUT/$name.o" &&
            "$CXX" "$OUT/$name.o" $manifest "${libc[@]}" "$OUT/bare_switch_x86_64.o" "$OUT/boost_shim.o" \
                -Wl,--start-group "$B/libmiou-hosted.a" "build/core/libmiou.a" -Wl,--end-group \
                $boostlib -o "$OUT/$name" || exit 1
    done
else
    echo "WARNING: no x86_64 g++/Boost.Context: running without baselines"
    for src in bench/bench_*.c; do
        name=$(basename "$src" .c)
        cp "$B/bench/$name" "$OUT/$name" || exit 1
    done
fi

PIN=()
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
    PIN=(taskset -c 0)
fi

# --- the machine --------------------------------------------------------
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(nproc) CPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/^Mem:/ {print $2}') GiB, $(uname -sr)"
    echo "compiler: $("$CC" --version | head -1)"
    echo "boost: $(dpkg-query -W -f '${Version}' libboost-context-dev 2>/dev/null || echo '?')"
    echo "tree: $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- src include bench 2>/dev/null || echo ' + uncommitted changes in src/, include/ or bench/')"
    echo "pinned: ${PIN[*]:-no}; load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other processes share the CPUs)"
    [ -n "$SPT" ] && echo "solo5: $("$SPT" --version 2>&1 | head -n 1) ($SPT)"
} | tee "$RES/machine.txt"

# --- timed runs -----------------------------------------------------------
run() { # run LOGNAME BENCH ARGS...
    local log=$1 bin=$2
    shift 2
    echo "+ ${PIN[*]} $bin $*"
    "${PIN[@]}" "$OUT/$bin" "$@" 2>&1 | tee "$RES/$log.log"
    local rc=${PIPESTATUS[0]}
    if [ "$rc" != 0 ]; then
        echo "FAILED: $bin $* (exit status $rc)" | tee -a "$RES/failures.txt"
    fi
    grep '^RESULT ' "$RES/$log.log" >>"$RES/results.txt"
}
# The same under solo5-spt, pinned as run() pins, with MEM MiB of guest
# memory: the RESULT lines go to results.txt with " spt" at the end.
run_spt() { # run_spt LOGNAME BENCH MEM [TENDER OPTION]... -- [ARGUMENT]...
    local log=spt-$1 uk=build/spt/bench/$2.spt mem=$3 opts=()
    shift 3
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        opts+=("$1")
        shift
    done
    [ $# -gt 0 ] && shift
    echo "+ ${PIN[*]} $SPT --mem=$mem ${opts[*]:+${opts[*]} }$uk --solo5:quiet $*"
    "${PIN[@]}" timeout -k 5 1800 "$SPT" --mem="$mem" "${opts[@]}" "$uk" \
        --solo5:quiet "$@" 2>&1 | tee "$RES/$log.log"
    local rc=${PIPESTATUS[0]}
    if [ "$rc" != 0 ]; then
        echo "FAILED: spt $uk $* (exit status $rc)" | tee -a "$RES/failures.txt"
    fi
    # Until the freestanding printf has floating point, %g prints this.
    if grep -q '^RESULT .*(no float)' "$RES/$log.log"; then
        echo "FAILED: spt $uk: the unikernel's printf prints no floating point (src/libc/printf.c)" |
            tee -a "$RES/failures.txt"
        return
    fi
    grep '^RESULT ' "$RES/$log.log" | sed 's/$/ spt/' >>"$RES/results.txt"
}
# The scheduler's benchmarks, hosted (part core) and under solo5-spt (part
# spt), with the same arguments and the same memory (MiB): the core's
# tasks and stacks come from the tender's heap on both platforms (--mem;
# 512 is both tenders' default), and 1M sleepers with 4 KiB stacks need
# 4.3 GiB.
core_runs() { # core_runs RUNNER: RUNNER LOGNAME BENCH MEM ARGUMENT... for each
    "$1" platform bench_platform 512 n=100000 rounds="$ROUNDS"
    "$1" switch bench_switch 512 n=1000000 rounds="$ROUNDS"
    "$1" spawn bench_spawn 512 n=1000000 rounds="$ROUNDS"
    "$1" children bench_children 2048 n=100000 rounds="$ROUNDS"
    "$1" mutex bench_mutex 512 n=1000000 rounds="$ROUNDS"
    "$1" sleepers-10k bench_sleepers 512 n=10000 rounds="$ROUNDS"
    "$1" sleepers-100k bench_sleepers 1024 n=100000 rounds="$ROUNDS" only=sleep
    "$1" sleepers-100k-cancel bench_sleepers 1024 n=100000 rounds="$ROUNDS" only=cancel
    "$1" sleepers-1M bench_sleepers 6144 n=1000000 rounds="$ROUNDS" only=sleep
    "$1" sleepers-1M-cancel bench_sleepers 6144 n=1000000 rounds="$ROUNDS" only=cancel
}
run_mem() { # run_mem LOGNAME BENCH MEM ARGUMENT...
    local log=$1 bin=$2 mem=$3
    shift 3
    run "$log" "$bin" --mem="$mem" -- "$@"
}
run_spt_mem() { # run_spt_mem LOGNAME BENCH MEM ARGUMENT...
    local log=$1 bin=$2 mem=$3
    shift 3
    run_spt "$log" "$bin" "$mem" -- "$@"
}
if part core; then
    core_runs run_mem
    run memcpy bench_memcpy n=200000 rounds="$ROUNDS"
fi
[ -n "$SPT" ] && core_runs run_spt_mem

# --- devices -----------------------------------------------------------------
diff_instr() { # diff_instr KEY_A KEY_B NAME: a RESULT line with A - B
    awk -v a="$1" -v b="$2" -v name="$3" '
        $2 == "callgrind" && $3 == a { x = $4 }
        $2 == "callgrind" && $3 == b { y = $4 }
        END { if (x != "" && y != "") printf "RESULT callgrind %s %.1f instr\n", name, x - y }
    ' "$RES/results.txt" | tee -a "$RES/results.txt"
}

# --- devices: block ---------------------------------------------------------
# Two images of BLOCK_MIB MiB, written in full (no holes), one per sector
# size; bench_block warms the page cache itself before timing.
# Under spt (part spt), the same images right after the hosted run: no
# path= (a unikernel opens no file; its baseline is Solo5's own block
# calls).
if part devices || [ -n "$SPT" ]; then
    TMPD=$(mktemp -d "${TMPDIR:-/tmp}/miou-bench.XXXXXX") || exit 1
    for sector in 512 4096; do
        img=$TMPD/disk$sector.img
        dd if=/dev/zero of="$img" bs=1M count="$BLOCK_MIB" status=none &&
            sync "$img" || exit 1
        if part devices; then
            run "block-$sector" bench_block --block:storage="$img" \
                --block-sector-size:storage="$sector" -- \
                path="$img" sector="$sector" rounds="$ROUNDS"
        fi
        if [ -n "$SPT" ]; then
            run_spt "block-$sector" bench_block 64 --block:storage="$img" \
                --block-sector-size:storage="$sector" -- \
                sector="$sector" rounds="$ROUNDS"
        fi
    done
fi

# --- devices: ping ----------------------------------------------------------
# One TAP interface in a namespace of our own; the library (examples/ping)
# and the baseline (bench/baseline_ping) take turns on it, each answering
# PING_RTT + PING_FLOOD echo requests and then ending by itself. Both
# answer from the same MAC address, and the host's neighbour cache is
# flushed before each, so every run starts with one ARP exchange. With
# part spt, a third responder takes its turn in the same rounds: the same
# examples/ping as a unikernel under solo5-spt (kind "spt"; its figures
# are reported under the library's keys, marked "spt").
TAP=mbtap0
PING_MAC=02:00:0b:a5:e1:01
PING_LOG=$RES/ping.txt
PING_SPT=build/spt/examples/ping.spt
ping_why_not() { # prints why the ping benchmark cannot run, if so
    if [ "$(id -u)" != 0 ]; then echo "needs root (network namespace, TAP)"
    elif ! command -v taskset >/dev/null 2>&1; then echo "no taskset (util-linux)"
    elif ! command -v ip >/dev/null 2>&1; then echo "no ip (iproute2)"
    elif ! command -v ping >/dev/null 2>&1; then echo "no ping (iputils-ping)"
    elif [ ! -c /dev/net/tun ]; then echo "no /dev/net/tun"
    elif part devices && ! make -j2 "$B/examples/ping" >"$RES/ping-build.log" 2>&1; then
        echo "examples/ping does not build (see $RES/ping-build.log)"
    elif part devices && [ ! -x "$B/bench/baseline_ping" ]; then echo "no $B/bench/baseline_ping"
    elif [ -n "$SPT" ] && [ ! -e "$PING_SPT" ]; then echo "no $PING_SPT"
    fi
}
# Run a command in the namespace (NS), pinned as the mode says for its
# role: in mode cpu0 the responder and ping share CPU 0 (each wake-up is a
# switch on one CPU: the software path alone); in mode split the
# responder runs on CPU 1 and ping on CPU 0 (each wake-up crosses CPUs, as
# on a host where both are busy elsewhere).
nsrun() { # nsrun MODE ROLE COMMAND...
    local cpu=0
    [ "$1" = split ] && [ "$2" = responder ] && cpu=1
    shift 2
    ip netns exec "$NS" taskset -c "$cpu" "$@"
}
# Wait up to (tenths) tenths of a second for process (pid) to end; 0 when
# it has.
wait_gone() { # wait_gone PID TENTHS
    local i
    for ((i = 0; i < $2; i++)); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    ! kill -0 "$1" 2>/dev/null
}
# The responder just started ($RESPONDER) has printed its start line in
# (log) within (tenths) tenths of a second: 0; else it is stopped, the
# failure recorded, 1.
responder_started() { # responder_started LOG TENTHS
    local i
    for ((i = 0; i < $2; i++)); do
        grep -q 'answering for' "$1" 2>/dev/null && return 0
        kill -0 "$RESPONDER" 2>/dev/null || break
        sleep 0.1
    done
    grep -q 'answering for' "$1" 2>/dev/null && return 0
    echo "FAILED: ping responder did not start (see $1)" | tee -a "$RES/failures.txt"
    responder_end "$1" 0
    return 1
}
# The responder has answered its count and ends by itself within (tenths)
# tenths of a second, or is stopped (TERM, then KILL). Its exit status.
responder_end() { # responder_end LOG TENTHS
    if ! wait_gone "$RESPONDER" "$2"; then
        echo "note: responder still running; stopping it" >>"$1"
        kill -TERM "$RESPONDER" 2>/dev/null
        wait_gone "$RESPONDER" 20 || kill -KILL "$RESPONDER" 2>/dev/null
    fi
    wait "$RESPONDER" 2>/dev/null
    local rc=$?
    RESPONDER=
    return $rc
}
# One responder (lib, baseline or spt) in one mode (cpu0 or split, see nsrun),
# for one round: appends
# "MODE KIND ROUND rtt_mean rtt_p50 rtt_p99 rtt_max flood_pps flood_rtt"
# (times in us) to $PING_LOG. The RTT figures come from ping's line per
# reply (time=, in whole microseconds), whose mean is finer than the
# summary's; the flood rate is replies / ping's elapsed time.
ping_once() { # ping_once MODE KIND ROUND
    local mode=$1 kind=$2 round=$3 total=$((PING_RTT + PING_FLOOD)) i rc
    local log="$RES/ping-$mode-$kind-$round"
    ip netns exec "$NS" ip neigh flush dev "$TAP" 2>/dev/null
    if [ "$kind" = lib ]; then
        nsrun "$mode" responder "$B/examples/ping" --net:service="$TAP" \
            --net-mac:service="$PING_MAC" -- 10.0.0.2 --count="$total" \
            --seconds=120 >"$log.responder" 2>&1 &
    elif [ "$kind" = spt ]; then
        nsrun "$mode" responder "$SPT" --mem=64 --net:service="$TAP" \
            --net-mac:service="$PING_MAC" "$PING_SPT" --solo5:quiet \
            10.0.0.2 --count="$total" --seconds=120 >"$log.responder" 2>&1 &
    else
        nsrun "$mode" responder "$B/bench/baseline_ping" --tap="$TAP" 10.0.0.2 \
            --count="$total" --seconds=120 >"$log.responder" 2>&1 &
    fi
    RESPONDER=$!
    responder_started "$log.responder" 50 || return 1
    nsrun "$mode" ping timeout 60 ping -c "$PING_RTT" -i 0.001 -w 50 10.0.0.2 \
        >"$log.rtt" 2>&1
    nsrun "$mode" ping timeout 120 ping -f -c "$PING_FLOOD" -w 100 -q 10.0.0.2 \
        >"$log.flood" 2>&1
    responder_end "$log.responder" 50
    rc=$?
    local rtt flood favg
    rtt=$(sed -n 's|.* time=\([0-9.]*\) ms.*|\1|p' "$log.rtt" | sort -g | awk '
        { v[NR] = $1 * 1000; sum += v[NR] }
        END { if (NR) printf "%.2f %.1f %.1f %.1f", sum / NR, v[int((NR + 1) / 2)],
              v[int(NR * 0.99 + 0.5)], v[NR] }')
    flood=$(sed -n 's|^\([0-9]*\) packets transmitted, \([0-9]*\) received.* time \([0-9]*\)ms.*|\2 \3|p' "$log.flood")
    favg=$(sed -n 's|^rtt min/avg/max/mdev = [0-9.]*/\([0-9.]*\)/.*|\1|p' "$log.flood")
    if [ -z "$rtt" ] || [ -z "$flood" ] || [ -z "$favg" ] ||
        ! grep -q " $PING_RTT received" "$log.rtt" ||
        ! grep -q " $PING_FLOOD received" "$log.flood" || [ "$rc" != 0 ]; then
        echo "FAILED: ping $mode $kind round $round (exit $rc; see $log.*)" |
            tee -a "$RES/failures.txt"
        return 1
    fi
    echo "$mode $kind $round $rtt $flood $favg" | awk '{
        printf "%s %s %s %s %s %s %s %.0f %.1f\n", $1, $2, $3, $4, $5, $6, $7,
            $8 / ($9 / 1000), $10 * 1000
    }' | tee -a "$PING_LOG"
}
# Instructions of the responder (kind) per echo answered: callgrind runs
# answering floods of N1 and N2 pings, the difference. Under valgrind the
# responder is slow enough that the next request is always waiting when
# it reads again: this counts the path of a busy device (no suspension).
ping_count() { # ping_count KIND N1 N2
    local kind=$1 n a= b=
    for n in "$2" "$3"; do
        local out="$RES/callgrind.ping.$kind.$n"
        ip netns exec "$NS" ip neigh flush dev "$TAP" 2>/dev/null
        if [ "$kind" = lib ]; then
            ip netns exec "$NS" taskset -c 0 valgrind --tool=callgrind \
                --callgrind-out-file="$out" "$B/examples/ping" \
                --net:service="$TAP" --net-mac:service="$PING_MAC" -- \
                10.0.0.2 --count="$n" --seconds=120 >"$out.log" 2>&1 &
        else
            ip netns exec "$NS" taskset -c 0 valgrind --tool=callgrind \
                --callgrind-out-file="$out" "$B/bench/baseline_ping" \
                --tap="$TAP" 10.0.0.2 --count="$n" --seconds=120 >"$out.log" 2>&1 &
        fi
        RESPONDER=$!
        responder_started "$out.log" 300 || return 1
        ip netns exec "$NS" taskset -c 0 timeout 120 ping -f -c "$n" -w 100 -q \
            10.0.0.2 >"$out.ping" 2>&1
        responder_end "$out.log" 100
        local v
        v=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out.log")
        if [ "$n" = "$2" ]; then a=$v; else b=$v; fi
    done
    if [ -z "$a" ] || [ -z "$b" ]; then
        echo "callgrind failed for the ping responder $kind (see $RES/callgrind.ping.$kind.*)"
        return 1
    fi
    awk -v a="$a" -v b="$b" -v n=$(($3 - $2)) -v k="$kind" \
        'BEGIN { printf "RESULT callgrind ping_%s_instr_per_echo %.1f instr\n", k, (b - a) / n }' |
        tee -a "$RES/results.txt"
}
median() { # the median of the numbers on standard input
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) exit
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2
    }'
}
# The medians of (mode)'s rounds, per kind, and the ratios. The spt
# responder is the library under another platform: its lines have the
# library's keys, and " spt" at the end; its ratios are to the hosted
# baseline of the same rounds.
ping_report() { # ping_report MODE
    local mode=$1 kind col key v name mark
    for kind in lib baseline spt; do
        name=$kind mark=
        [ "$kind" = spt ] && name=lib mark=" spt"
        for col in 4:rtt_mean_us:us 5:rtt_p50_us:us 6:rtt_p99_us:us 7:rtt_max_us:us 8:flood_pps:pkt/s 9:flood_rtt_avg_us:us; do
            key=${col#*:}
            v=$(awk -v m="$mode" -v k="$kind" -v c="${col%%:*}" \
                '$1 == m && $2 == k { print $c }' "$PING_LOG" | median)
            [ -n "$v" ] && echo "RESULT ping ${mode}_${name}_${key%%:*} $v ${key#*:}$mark" |
                tee -a "$RES/results.txt"
        done
    done
    awk -v m="$mode" '
        $1 != "RESULT" || $2 != "ping" { next }
        NF == 5 && $3 == m "_lib_flood_pps" { a = $4 }
        NF == 5 && $3 == m "_baseline_flood_pps" { b = $4 }
        NF == 5 && $3 == m "_lib_rtt_mean_us" { c = $4 }
        NF == 5 && $3 == m "_baseline_rtt_mean_us" { d = $4 }
        $6 == "spt" && $3 == m "_lib_flood_pps" { e = $4 }
        $6 == "spt" && $3 == m "_lib_rtt_mean_us" { f = $4 }
        END {
            if (a > 0 && b > 0) printf "RESULT ping %s_lib_flood_rate_over_baseline %.3f x\n", m, a / b
            if (c > 0 && d > 0) printf "RESULT ping %s_lib_rtt_mean_over_baseline %.3f x\n", m, c / d
            if (e > 0 && b > 0) printf "RESULT ping %s_lib_flood_rate_over_baseline %.3f x spt\n", m, e / b
            if (f > 0 && d > 0) printf "RESULT ping %s_lib_rtt_mean_over_baseline %.3f x spt\n", m, f / d
        }' "$RES/results.txt" | tee -a "$RES/results.txt"
}
if part devices || [ -n "$SPT" ]; then
    why=$(ping_why_not)
    if [ -n "$why" ]; then
        skipped ping "$why"
    else
        NS=miou-bench-$$
        if ! { ip netns add "$NS" &&
            ip netns exec "$NS" ip link set lo up &&
            ip netns exec "$NS" ip tuntap add dev "$TAP" mode tap &&
            ip netns exec "$NS" ip addr add 10.0.0.1/24 dev "$TAP" &&
            ip netns exec "$NS" ip link set "$TAP" up; }; then
            skipped ping "cannot set up the namespace $NS and its TAP interface"
        else
            # No IPv6 chatter (router solicitations) on the interface.
            ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$TAP.disable_ipv6=1" 2>/dev/null
            modes=
            taskset -c 0 true 2>/dev/null && modes=cpu0
            taskset -c 1 true 2>/dev/null && modes="$modes split"
            kinds=()
            part devices && kinds=(lib baseline)
            [ -n "$SPT" ] && kinds+=(spt)
            echo "+ ping in namespace $NS on $TAP: $PING_ROUNDS rounds of $PING_RTT pings 1 ms apart + a flood of $PING_FLOOD, responders: ${kinds[*]}, modes: $modes"
            echo "# mode kind round rtt_mean_us rtt_p50_us rtt_p99_us rtt_max_us flood_pps flood_rtt_avg_us" >"$PING_LOG"
            for mode in $modes; do
                for ((r = 1; r <= PING_ROUNDS; r++)); do
                    # Turn which goes first, so drift falls on all.
                    for ((i = 0; i < ${#kinds[@]}; i++)); do
                        kind=${kinds[$(((r - 1 + i) % ${#kinds[@]}))]}
                        ping_once "$mode" "$kind" "$r"
                    done
                done
                ping_report "$mode"
            done
            if part devices && [ "${NO_CALLGRIND:-0}" != 1 ] && command -v valgrind >/dev/null 2>&1; then
                echo "+ callgrind instruction counts per answered echo (floods of 2000 and 4000, both on CPU 0)"
                for kind in lib baseline; do
                    ping_count "$kind" 2000 4000
                done
                diff_instr ping_lib_instr_per_echo ping_baseline_instr_per_echo ping_lib_beyond_baseline_instr
            fi
        fi
        ip netns del "$NS" 2>/dev/null
        NS=
    fi
fi

# --- TCP/IP and TLS (parts tcpip, tls): bench/tcpip.sh and bench/tls.sh,
# their output in $RES/tcpip/ and $RES/tls/ -------------------------------
sub_bench() { # sub_bench PART: bench/PART.sh, its RESULT lines kept
    echo "+ bench/$1.sh (log: $RES/$1.log)"
    TCPIP_OUT=$RES/$1 TLS_OUT=$RES/$1 CONNS_OUT=$RES/$1 "bench/$1.sh" 2>&1 | tee "$RES/$1.log"
    [ "${PIPESTATUS[0]}" = 0 ] ||
        echo "FAILED: bench/$1.sh (see $RES/$1.log)" | tee -a "$RES/failures.txt"
    grep '^RESULT ' "$RES/$1.log" >>"$RES/results.txt"
}
part tcpip && sub_bench tcpip
part tls && sub_bench tls
part conns && sub_bench conns

# --- instruction counts: callgrind, runs of N and 2N, the difference -----
# (per unit of work; start-up and set-up cancel out).
ir() { # ir BENCH VARIANT N -> instructions of the whole run
    local out="$RES/callgrind.$1.$2.$3"
    valgrind --tool=callgrind --callgrind-out-file="$out" "$OUT/$1" \
        --mem=2048 -- n="$3" rounds=1 only="$2" >"$out.log" 2>&1
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out.log"
}
count() { # count BENCH VARIANT UNITS_PER_N KEY [N1 N2]
    local n1=${5:-100000} n2=${6:-200000} a b v
    a=$(ir "$1" "$2" $n1)
    b=$(ir "$1" "$2" $n2)
    if [ -z "$a" ] || [ -z "$b" ]; then
        echo "callgrind failed for $1 $2 (see $RES/callgrind.$1.$2.*.log)"
        return
    fi
    v=$(awk -v a="$a" -v b="$b" -v n=$((n2 - n1)) -v u="$3" \
        'BEGIN { printf "%.1f", (b - a) / (n * u) }')
    echo "RESULT callgrind $4 $v instr" | tee -a "$RES/results.txt"
}
ratio() { # ratio KEY_A KEY_B NAME: a RESULT line with A / B, when both exist
    awk -v a="$1" -v b="$2" -v name="$3" '
        $2 == "callgrind" && $3 == a { x = $4 }
        $2 == "callgrind" && $3 == b { y = $4 }
        END { if (x != "" && y > 0) printf "RESULT callgrind %s %.2f x\n", name, x / y }
    ' "$RES/results.txt" | tee -a "$RES/results.txt"
}
# Block I/O under callgrind: bench_block with its device attached.
ir_block() { # ir_block IMAGE SECTOR VARIANT OP N -> instructions of the whole run
    local out="$RES/callgrind.bench_block.$4$2_$3.$5"
    valgrind --tool=callgrind --callgrind-out-file="$out" "$OUT/bench_block" \
        --block:storage="$1" --block-sector-size:storage="$2" -- \
        path="$1" n="$5" rounds=1 only="$3" op="$4" >"$out.log" 2>&1
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out.log"
}
count_block() { # count_block IMAGE SECTOR VARIANT OP N1 N2
    local a b v
    a=$(ir_block "$1" "$2" "$3" "$4" "$5")
    b=$(ir_block "$1" "$2" "$3" "$4" "$6")
    if [ -z "$a" ] || [ -z "$b" ]; then
        echo "callgrind failed for bench_block $3 $4 (see $RES/callgrind.bench_block.*.log)"
        return
    fi
    v=$(awk -v a="$a" -v b="$b" -v n=$(($6 - $5)) 'BEGIN { printf "%.1f", (b - a) / n }')
    echo "RESULT callgrind block_$4$2_$3_instr_per_op $v instr" | tee -a "$RES/results.txt"
}
callgrind=0
if [ "${NO_CALLGRIND:-0}" != 1 ] && command -v valgrind >/dev/null 2>&1; then
    callgrind=1
else
    echo "(callgrind skipped)"
fi
if [ "$callgrind" = 1 ] && part core; then
    echo "+ callgrind instruction counts (runs of N and 2N, N = 100000; 20000 for children)"
    count bench_switch ours 2 switch_ours_instr_per_switch
    count bench_switch ours_nopoll 2 switch_ours_nopoll_instr_per_switch
    if [ "$baselines" = 1 ]; then
        count bench_switch bare 2 switch_bare_instr_per_switch
        count bench_switch bare_nofpu 2 switch_bare_nofpu_instr_per_switch
        count bench_switch boost 2 switch_boost_instr_per_switch
    fi
    count bench_spawn ours 1 spawn_ours_instr_per_pair
    if [ "$baselines" = 1 ]; then
        count bench_spawn bare 1 spawn_bare_instr_per_pair
        count bench_spawn boost 1 spawn_boost_instr_per_pair
    fi
    count bench_children ours 1 children_ours_instr_per_child 20000 40000
    if [ "$baselines" = 1 ]; then
        count bench_children boost 1 children_boost_instr_per_child 20000 40000
    fi
    count bench_mutex ours 2 mutex_ours_instr_per_handoff
    ratio switch_ours_instr_per_switch switch_bare_instr_per_switch switch_ours_over_bare_instr
    ratio switch_ours_instr_per_switch switch_boost_instr_per_switch switch_ours_over_boost_instr
    ratio spawn_ours_instr_per_pair spawn_bare_instr_per_pair spawn_ours_over_bare_instr
    ratio spawn_ours_instr_per_pair spawn_boost_instr_per_pair spawn_ours_over_boost_instr
    ratio children_ours_instr_per_child children_boost_instr_per_child children_ours_over_boost_instr
fi
if [ "$callgrind" = 1 ] && part devices && [ -e "$TMPD/disk512.img" ]; then
    echo "+ callgrind instruction counts of block I/O, 512-byte blocks (runs of 20000 and 40000 blocks; system calls not counted)"
    for op in read write; do
        for v in baseline atomic sched; do
            count_block "$TMPD/disk512.img" 512 "$v" "$op" 20000 40000
        done
        diff_instr "block_${op}512_atomic_instr_per_op" "block_${op}512_baseline_instr_per_op" "block_${op}512_atomic_beyond_baseline_instr"
        diff_instr "block_${op}512_sched_instr_per_op" "block_${op}512_baseline_instr_per_op" "block_${op}512_sched_beyond_baseline_instr"
    done
fi

# --- the table ------------------------------------------------------------
echo
echo "Results (medians of $ROUNDS rounds; ratios from the same run):"
cat "$RES/machine.txt"
if grep -q ' spt$' "$RES/results.txt"; then
    # Hosted and spt side by side, one line per figure, in the order of
    # first appearance; spt/hosted when both are there.
    awk '
        $1 != "RESULT" { next }
        {
            k = $2 SUBSEP $3
            if (!(k in seen)) { seen[k] = 1; order[++n] = k; bench[k] = $2; key[k] = $3; unit[k] = $5 }
            if ($6 == "spt") spt[k] = $4; else host[k] = $4
        }
        END {
            printf "  %-10s %-42s %14s %14s %-8s %s\n", "", "", "hosted", "spt", "", "spt/hosted"
            for (i = 1; i <= n; i++) {
                k = order[i]
                r = ((k in host) && (k in spt) && host[k] + 0 != 0) ? sprintf("%.2f", spt[k] / host[k]) : ""
                printf "  %-10s %-42s %14s %14s %-8s %s\n", bench[k], key[k],
                    (k in host) ? host[k] : "-", (k in spt) ? spt[k] : "-", unit[k], r
            }
        }' "$RES/results.txt" | tee "$RES/table.txt"
else
    awk '{ printf "  %-10s %-42s %14s %s\n", $2, $3, $4, $5 }' "$RES/results.txt"
fi
[ -s "$RES/skipped.txt" ] && cat "$RES/skipped.txt"
echo "(logs and callgrind profiles in $RES/)"
if [ -s "$RES/failures.txt" ]; then
    cat "$RES/failures.txt"
    exit 1
fi
