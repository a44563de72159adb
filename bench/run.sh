#!/usr/bin/env bash
# bench/run.sh - build and run the benchmarks, then print a table of their
# figures (what `make bench` runs). Takes about 1 minute.
#
# Every benchmark measures its baselines in the same process and reports
# medians of several rounds (ROUNDS, default 5). Baselines need x86_64, g++
# and libboost-context-dev (scripts/deps.sh bench installs them); without
# them, the benchmarks built by `make benches` run alone, without baselines.
#
# Environment: ROUNDS (5), BUILD (build/hosted), CC (gcc), CXX (g++),
# NO_CALLGRIND=1 to skip the instruction counts.
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

scripts/deps.sh bench
make -j2 benches || exit 1
mkdir -p "$OUT" "$RES"
rm -f "$RES"/*

# --- build: each benchmark linked with the baselines ------------------
CFLAGS="-std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -Isrc"
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
        "$CC" $CFLAGS -c "$src" -o "$OUT/$name.o" &&
            "$CXX" "$OUT/$name.o" "$OUT/bare_switch_x86_64.o" "$OUT/boost_shim.o" \
                -Wl,--start-group "$B/libmiou-hosted.a" "$B/libmiou.a" -Wl,--end-group \
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
run switch bench_switch n=1000000 rounds="$ROUNDS"
run spawn bench_spawn n=1000000 rounds="$ROUNDS"
run children bench_children n=100000 rounds="$ROUNDS"
run mutex bench_mutex n=1000000 rounds="$ROUNDS"
run sleepers-10k bench_sleepers n=10000 rounds="$ROUNDS"
run sleepers-100k bench_sleepers n=100000 rounds="$ROUNDS" only=sleep
run sleepers-100k-cancel bench_sleepers n=100000 rounds="$ROUNDS" only=cancel
run sleepers-1M bench_sleepers n=1000000 rounds="$ROUNDS" only=sleep
run sleepers-1M-cancel bench_sleepers n=1000000 rounds="$ROUNDS" only=cancel

# --- instruction counts: callgrind, runs of N and 2N, the difference -----
# (per unit of work; start-up and set-up cancel out).
ir() { # ir BENCH VARIANT N -> instructions of the whole run
    local out="$RES/callgrind.$1.$2.$3"
    valgrind --tool=callgrind --callgrind-out-file="$out" "$OUT/$1" \
        n="$3" rounds=1 only="$2" >"$out.log" 2>&1
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
if [ "${NO_CALLGRIND:-0}" != 1 ] && command -v valgrind >/dev/null 2>&1; then
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
else
    echo "(callgrind skipped)"
fi

# --- the table ------------------------------------------------------------
echo
echo "Results (medians of $ROUNDS rounds; ratios from the same run):"
cat "$RES/machine.txt"
awk '{ printf "  %-10s %-42s %14s %s\n", $2, $3, $4, $5 }' "$RES/results.txt"
echo "(logs and callgrind profiles in $RES/)"
if [ -s "$RES/failures.txt" ]; then
    cat "$RES/failures.txt"
    exit 1
fi
