#!/usr/bin/env bash
# scripts/fuzz_frames.sh - libFuzzer over lwIP's frame input path
# (tests/fuzz/fuzz_frames.c): Ethernet, ARP, IPv4 with reassembly, ICMP,
# UDP, TCP and the DHCP client, built with our options
# (src/tcpip/port/lwipopts.h), for a bounded time.
#
#   scripts/fuzz_frames.sh [SECONDS (20)] [RUNS (100000000)]
#
# 1. fetches lwIP's source when missing (scripts/fetch_lwip.sh);
# 2. builds the files of mk/lwip.mk's LWIP_FILES with clang, coverage
#    and the sanitizers (-fsanitize=fuzzer-no-link,address,undefined),
#    with our options as they are (src/tcpip/port/lwipopts.h), into
#    build/fuzz/lwip-VERSION/ (kept between runs), and the target, with
#    the hooks of ours that lwIP calls on input (src/tcpip/timewait.c),
#    with the project's warnings into build/fuzz/fuzz_frames;
# 3. writes the seeds (build/fuzz/fuzz_frames --seeds) into a fresh
#    corpus in a temporary folder, which the run grows;
# 4. runs the fuzzer for SECONDS at most, RUNS inputs at most
#    (-max_len=4096 -timeout=10).
#
# With FUZZ_FRAMES_LWIP_ASSERTS=1, lwIP is built with its assertions on
# (our options turn them off: lwipopts.h defines LWIP_NOASSERT), into
# build/fuzz/lwip-asserts/ and build/fuzz/fuzz_frames_asserts; two known
# bugs of lwIP whose assertions a peer can fail are then worked around
# (tests/fuzz/fuzz_frames.c says which and how).
#
# It prints one result line: "ok - fuzz: ...", "not ok - fuzz: ..." with
# the failing input kept as build/fuzz/fuzz_frames-crash-* (or -leak-,
# -timeout-, -oom-; run build/fuzz/fuzz_frames on it to see the failure
# again, FUZZ_FRAMES_TRACE=1 to see each frame), or "skip - ...: SKIPPED
# reason" when clang cannot build a libFuzzer target or lwIP's source
# cannot be had. Then "#" lines: what the run reached (lwIP's counters,
# the callbacks that fired, the TCP and DHCP states seen). Exit status 0
# unless something failed.
set -u
script=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/.." || exit 1

seconds=${1:-20}
runs=${2:-100000000}
name="fuzz: lwIP's frame input path (ethernet, ARP, IPv4, ICMP, UDP, TCP) survives any frames"

# Both whole numbers, SECONDS at least 1 (0 would mean no limit).
case $seconds$runs in
'' | *[!0-9]*) seconds=0 ;;
esac
if [ "$seconds" -lt 1 ] 2>/dev/null || [ -z "$runs" ]; then
    echo "usage: scripts/fuzz_frames.sh [SECONDS (1 or more)] [RUNS]" >&2
    exit 2
fi

dir=build/fuzz
# The lwIP of the build (mk/lwip.source's first entry, or LWIP_VERSION).
lwip_version=${LWIP_VERSION:-$(sed -e 's/#.*//' mk/lwip.source | awk 'NF >= 2 { print $1; exit }')}
lwip=build/lwip-$lwip_version/src
if [ "${FUZZ_FRAMES_LWIP_ASSERTS:-0}" = 1 ]; then
    asserts=1
    objdir=$dir/lwip-$lwip_version-asserts
    bin=$dir/fuzz_frames_asserts
    name="$name (lwIP's assertions on)"
else
    asserts=0
    objdir=$dir/lwip-$lwip_version
    bin=$dir/fuzz_frames
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; rm -f "${bin:-}.tmp.$$"' EXIT

# The project's warnings, for our code only; libFuzzer and the sanitizers.
WARN=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow
    -Wstrict-prototypes -Wmissing-prototypes)
SAN=(-g -O1 -fno-sanitize-recover=undefined)
INCLUDE=(-I"$objdir/include" -Isrc/tcpip/port -I"$lwip/src/include" -Iinclude -Isrc)

skip() { echo "skip - $name: SKIPPED $1"; exit 0; }
fail() {
    echo "not ok - $name: $1"
    if [ -n "${2:-}" ] && [ -s "$2" ]; then
        grep -E 'error|warning|undefined reference' "$2" | head -n 15 |
            sed 's/^/#   /'
    fi
    exit 1
}

# ---- Tools ---------------------------------------------------------------
command -v clang >/dev/null 2>&1 || skip "clang is not installed"
# libFuzzer's runtime comes with clang on Debian (libclang-rt-*-dev);
# without it even an empty target does not link.
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
    >"$tmp/probe.c"
if ! clang "${SAN[@]}" -fsanitize=fuzzer,address,undefined "$tmp/probe.c" \
    -o "$tmp/probe" >"$tmp/probe.log" 2>&1; then
    skip "clang cannot link a libFuzzer target (no libFuzzer runtime: $(grep -m1 -E 'cannot find|not found|error' "$tmp/probe.log" | cut -c1-120))"
fi

# ---- lwIP ------------------------------------------------------------------
if ! timeout 1800 scripts/fetch_lwip.sh "$lwip_version" "$lwip" >"$tmp/fetch.log" 2>&1; then
    skip "lwIP's source is missing and could not be fetched ($(grep -m1 'fetch_lwip:' "$tmp/fetch.log" | cut -c1-120))"
fi

# lwIP's files, from mk/lwip.mk: the lines of "LWIP_FILES := ... \".
files=$(awk '/^LWIP_FILES[ \t]*:=/ { on = 1; sub(/^LWIP_FILES[ \t]*:=/, "") }
             on { line = $0; sub(/\\[ \t]*$/, "", line); printf "%s ", line
                  if ($0 !~ /\\[ \t]*$/) exit }' mk/lwip.mk)
[ -n "$files" ] || fail "no LWIP_FILES in mk/lwip.mk"

# lwIP finds this header first: our options as they are; with
# FUZZ_FRAMES_LWIP_ASSERTS=1 lwIP's assertions on (lwipopts.h defines
# LWIP_NOASSERT, and lwIP's debug.h only asks whether it is defined: any
# value turns them off); whenever they are on, the hook that keeps lwIP 2.1.3's
# "insane offset!" bug out of the way (see tests/fuzz/fuzz_frames.c),
# unless our options have one.
mkdir -p "$objdir/include" || fail "cannot make $objdir/include"
{
    echo '/* Generated by scripts/fuzz_frames.sh: the options of lwIP for tests/fuzz/fuzz_frames.c. */'
    echo '#include "../../../../src/tcpip/port/lwipopts.h"'
    [ $asserts = 1 ] && echo '#undef LWIP_NOASSERT'
    cat <<'EOF_OPTS'
#if !defined LWIP_NOASSERT && !defined LWIP_HOOK_TCP_INPACKET_PCB
struct tcp_pcb;
struct tcp_hdr;
struct pbuf;
int fuzz_frames_tcp_inpacket(const struct tcp_pcb *pcb,
                             const struct tcp_hdr *hdr, const struct pbuf *p);
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p) \
    ((err_t)fuzz_frames_tcp_inpacket((pcb), (hdr), (p)))
#endif
EOF_OPTS
} >"$tmp/lwipopts.h"
cmp -s "$tmp/lwipopts.h" "$objdir/include/lwipopts.h" ||
    cp "$tmp/lwipopts.h" "$objdir/include/lwipopts.h"

# Objects built with other flags (another clang, the other mode) go.
flags="$(clang --version | head -n 1) | ${SAN[*]} | ${INCLUDE[*]}"
if [ "$(cat "$objdir/.flags" 2>/dev/null)" != "$flags" ]; then
    rm -rf "$objdir/core" "$objdir/netif"
    printf '%s\n' "$flags" >"$objdir/.flags"
fi

# Compile one lwIP file when its object is missing or older than what it
# depends on: compile_one FILE (a path under $lwip/src).
compile_one() {
    local src=$lwip/src/$1 obj=$objdir/${1%.c}.o dep
    local deps=("$src" src/tcpip/port/lwipopts.h src/tcpip/port/arch/cc.h
        "$objdir/include/lwipopts.h" "$script")
    if [ -e "$obj" ]; then
        for dep in "${deps[@]}"; do
            [ "$dep" -nt "$obj" ] && break
            dep=
        done
        [ -z "$dep" ] && return 0
    fi
    mkdir -p "$(dirname "$obj")" || return 1
    if ! timeout 300 clang -std=c11 -D_GNU_SOURCE "${SAN[@]}" \
        -fsanitize=fuzzer-no-link,address,undefined "${INCLUDE[@]}" \
        -c "$src" -o "$obj.tmp.$$"; then
        rm -f "$obj.tmp.$$"
        return 1
    fi
    mv "$obj.tmp.$$" "$obj"
}

# The files, a few at a time.
read -r -a sources <<<"$files"
jobs=$(nproc 2>/dev/null || echo 2)
objs=() pids=() failed=0
for f in "${sources[@]}"; do
    objs+=("$objdir/${f%.c}.o")
    compile_one "$f" >>"$tmp/lwip.log" 2>&1 &
    pids+=($!)
    if [ ${#pids[@]} -ge "$jobs" ]; then
        wait "${pids[0]}" || failed=1
        pids=("${pids[@]:1}")
    fi
done
for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
done
[ $failed = 0 ] || fail "the build of lwIP failed" "$tmp/lwip.log"

# ---- The target --------------------------------------------------------------
# With our code that lwIP calls on input: its hooks (lwipopts.h).
ours=(src/tcpip/timewait.c)
if ! timeout 300 clang "${WARN[@]}" "${SAN[@]}" \
    -fsanitize=fuzzer,address,undefined "${INCLUDE[@]}" \
    tests/fuzz/fuzz_frames.c "${ours[@]}" "${objs[@]}" -o "$bin.tmp.$$" \
    >"$tmp/target.log" 2>&1; then
    fail "the build of tests/fuzz/fuzz_frames.c failed" "$tmp/target.log"
fi
mv "$bin.tmp.$$" "$bin"

corpus=$tmp/corpus
mkdir -p "$corpus"
if ! timeout 60 "$bin" --seeds "$corpus" >"$tmp/seeds.log" 2>&1; then
    echo "not ok - $name: the seeds could not be written"
    sed 's/^/#   /' "$tmp/seeds.log" | head -n 10
    exit 1
fi

# ---- The run -------------------------------------------------------------------
out=$tmp/fuzz.out
(
    timeout -k 10 $((seconds + 120)) "$bin" -runs="$runs" \
        -max_total_time="$seconds" -max_len=4096 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$bin-" "$corpus"
    exit $?
) >"$out" 2>&1
rc=$?

done_line=$(grep -m1 -E '^Done [0-9]+ runs in [0-9]+ second' "$out")
summary() { grep -E '^fuzz_frames: ' "$out" | sed 's/^/# /'; }
if [ $rc -eq 0 ] && [ -n "$done_line" ]; then
    n=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/')
    s=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/')
    echo "ok - $name ($n runs in $s s, $(find "$corpus" -type f | wc -l) inputs in the corpus)"
    summary
    exit 0
fi
artifact=$(grep -m1 -oE "Test unit written to [^ ]+" "$out" | sed 's/^Test unit written to //')
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "not ok - $name: the run did not end within $((seconds + 120)) s"
else
    echo "not ok - $name: exit status $rc${artifact:+, the input is in $artifact}"
fi
grep -E 'property failed|lwIP assertion failed|ERROR: |runtime error:|^SUMMARY:|Test unit written|^Base64:' "$out" |
    head -n 12 | sed 's/^/#   /'
[ -s "$out" ] || echo "#   (no output)"
[ -n "$artifact" ] && echo "#   replay: $bin $artifact"
exit 1
