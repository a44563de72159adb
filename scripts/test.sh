#!/usr/bin/env bash
# scripts/test.sh - the test suite, by parts.
#
#   scripts/test.sh [PART...] [CASE=TOPIC[: SENTENCE]]
#
# Without a part, every part but check (make test). With CASE, the test
# programs are narrowed to test_TOPIC (or the program named TOPIC), and
# its cases to those whose "TOPIC: SENTENCE" holds the words given:
#   scripts/test.sh hosted CASE='block: scheduled writes'
#
# The parts (make test-PART runs one; make check runs check):
#   check     the fast loop: the test programs on hosted and sim, the
#             programs that must die, the property programs at 100 seeds
#   props     the property programs alone, over SIM_SEEDS seeds each from
#             SIM_FIRST (make sim-test SEEDS=N FIRST=S)
#   hosted    the test programs (tests/*.c, tests/hosted/*.c), the
#             programs that must die, the examples, the tender's options
#   asan      the test programs with AddressSanitizer and UBSan
#   clang     the test programs built with clang
#   valgrind  the hosted test programs under valgrind
#   aarch64   the test programs cross-built for aarch64, under qemu-user
#   sim       the test programs in virtual time, the property programs
#             (SIM_SEEDS seeds each, 1,000 by default), the sim platform's
#             own checks, the same digests on aarch64
#   sim-asan  the sim part's programs with AddressSanitizer and UBSan
#   devices   the demo, disk images, net devices on UNIX sockets and TAP
#   tcpip     the TCP/IP layer: lwIP under the scheduler, DHCP, HTTP,
#             TIME-WAIT reuse, 100,000 connections held at once, IPv6,
#             DNS and Happy Eyeballs
#   tls       the TLS layer: mbedTLS under the scheduler, HTTPS against
#             curl and openssl, refusals, the TLS test program's cases
#   solo5     the same programs as Solo5 unikernels (SKIPPED without
#             Solo5: set SOLO5_HOME)
#   fuzz      libFuzzer over the parsers of outside bytes (frames, the
#             manifest, TLS records), bounded
#   install   every platform installed into one prefix, in both orders,
#             and programs built from it; the README's own unikernel
#             built out of the tree by the installed make fragment
#   readme    every C snippet of README.md builds and runs
#
# Each case prints one line, "ok - TOPIC: SENTENCE", "not ok - ..." or
# "skip - ...: SKIPPED REASON"; a program that crashes, hangs or exits
# badly without saying which case failed counts as one failure named
# after it. The last line is "N passed, N failed, N skipped"; the exit
# status is 0 iff none failed.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
# shellcheck source=scripts/lib/programs.sh
. scripts/lib/programs.sh
check_begin suite
MAKE=${MAKE:-make}
SIM_SEEDS=${SIM_SEEDS:-1000}
ALL_PARTS="hosted asan clang valgrind aarch64 sim sim-asan devices tcpip tls solo5 fuzz install readme"

# ---- Building.

# build LABEL MAKE-ARGUMENTS...: make, quietly; a failed case with the
# errors when it fails, and status 1.
build() {
    local label=$1 log
    shift
    log=$tmp/build.$RANDOM.log
    "$MAKE" --no-print-directory "$@" >"$log" 2>&1 && return 0
    topic=$label fail "build: $MAKE $*"
    grep -E 'error:|\*\*\*|undefined reference' "$log" | head -n 15 |
        sed 's/^/#   /'
    return 1
}

# ---- Programs (scripts/lib/programs.sh runs each as its NAME.run says).

# units MODE PLATFORM BUILD SECONDS [RUNNER...]: the test programs of
# every platform, and on hosted ones those of tests/hosted/.
units() {
    local mode=$1 platform=$2 dir=$3 secs=$4 src
    shift 4
    for src in tests/test_*.c; do
        program_selected "$src" &&
            run_program "$mode" "$platform" "$dir/tests" "$src" "$secs" "$@"
    done
    [ "$platform" = hosted ] || return 0
    for src in tests/hosted/test_*.c; do
        program_selected "$src" &&
            run_program "$mode" "$platform" "$dir/tests/hosted" "$src" "$secs" "$@"
    done
}

# deaths MODE PLATFORM BUILD [RUNNER...]: the programs that must die.
deaths() {
    local mode=$1 platform=$2 dir=$3 src
    shift 3
    for src in tests/death_*.c; do
        program_selected "$src" &&
            run_program "$mode" "$platform" "$dir/tests" "$src" 60 "$@"
    done
}

# props MODE BUILD SEEDS: the property programs of the sim platform,
# SEEDS seeds each from seed $SIM_FIRST (prop_broken is broken on
# purpose: check_sim.sh).
props() {
    local mode=$1 dir=$2 seeds=$3 prop name args
    [ -z "$case_filter" ] || return 0
    for prop in "$dir"/tests/sim/prop_*; do
        name=$(basename "$prop")
        case $name in
        prop_broken) continue ;;
        prop_devices) args=(--net:link=silent --block:disk=1M) ;;
        *) args=() ;;
        esac
        run_test "$mode" "$name" "${SIM_SECONDS:-600}" "$prop" "${args[@]}" -- \
            --seeds="$seeds" --first="${SIM_FIRST:-1}" --program="$prop"
    done
}

# script PATH [SECONDS (300)] [VARIABLE=VALUE...]: a check_*.sh script,
# its result lines relayed; a failure if it cannot run, exits badly or
# prints no result.
script() {
    local path=$1 secs=${2:-300} out rc
    shift 2 2>/dev/null || shift $#
    topic=$(basename "$path")
    # A script that cannot run is a failure, not a silent pass.
    if [ ! -x "$path" ]; then
        fail "not an executable file"
        return
    fi
    out=$tmp/$topic.$RANDOM.out
    capture "$out" "$secs" env "$@" "$path"
    rc=$?
    grep -E '^(ok|not ok|skip) - |^#   ' "$out"
    if [ $rc -ne 0 ]; then
        fail "exit status $rc"
        explain "$out"
    elif ! grep -qE '^(ok|not ok|skip) - ' "$out"; then
        fail "printed no result"
        explain "$out"
    fi
}

# ---- The parts.

part_check() {
    build check -j2 tests || return
    build check -j2 PLATFORM=sim tests || return
    units hosted hosted build/hosted 300
    deaths hosted hosted build/hosted
    units sim sim build/sim 300
    props sim build/sim 100
}

part_hosted() {
    build hosted -j2 all || return
    units hosted hosted build/hosted 300
    deaths hosted hosted build/hosted
    [ -z "$case_filter" ] || return 0
    script scripts/check_examples.sh
    script scripts/check_tender.sh
}

part_asan() {
    build asan -j2 SANITIZE=1 tests || return
    units asan hosted build/hosted-san 600
}

part_clang() {
    if ! command -v clang >/dev/null 2>&1; then
        topic=clang skip "every test program" "clang is not installed"
        return
    fi
    build clang -j2 CC=clang BUILD=build/hosted-clang \
        CORE_BUILD=build/core-clang tests || return
    units clang hosted build/hosted-clang 300
}

part_valgrind() {
    if ! command -v valgrind >/dev/null 2>&1; then
        topic=valgrind skip "every test program" "valgrind is not installed"
        return
    fi
    build valgrind -j2 tests || return
    units valgrind hosted build/hosted 600 \
        valgrind --error-exitcode=99 --leak-check=full -q
}

part_aarch64() {
    local why=
    command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 ||
        why="aarch64-linux-gnu-gcc is not installed"
    command -v qemu-aarch64 >/dev/null 2>&1 || why="qemu-aarch64 is not installed"
    if [ -n "$why" ]; then
        topic=aarch64 skip "every test program" "$why"
        return
    fi
    build aarch64 -j2 ARCH_PREFIX=aarch64-linux-gnu- tests || return
    units aarch64 hosted build/hosted-aarch64 600 \
        qemu-aarch64 -L /usr/aarch64-linux-gnu
    deaths aarch64 hosted build/hosted-aarch64 \
        qemu-aarch64 -L /usr/aarch64-linux-gnu
}

part_sim() {
    build sim -j2 PLATFORM=sim all || return
    units sim sim build/sim 300
    props sim build/sim "$SIM_SEEDS"
    deaths sim sim build/sim
    [ -z "$case_filter" ] || return 0
    script scripts/check_sim.sh
    script scripts/check_sim_tcpip.sh
    script scripts/check_sim_arch.sh 900
}

# Not in make test: make sim-test SEEDS=N [FIRST=S].
part_props() {
    build props -j2 PLATFORM=sim tests || return
    props sim build/sim "$SIM_SEEDS"
}

part_sim_asan() {
    build sim-asan -j2 PLATFORM=sim SANITIZE=1 tests examples || return
    units sim-asan sim build/sim-san 600
    props sim-asan build/sim-san 100
    [ -z "$case_filter" ] || return 0
    script scripts/check_sim_tcpip.sh 300 BUILD=build/sim-san
}

part_devices() {
    build devices -j2 all || return
    script scripts/check_demo.sh
    script scripts/check_block_image.sh
    script scripts/check_net_unix.sh
    script scripts/check_net_tap.sh
}

part_tcpip() {
    build tcpip -j2 all || return
    script scripts/check_tcpip_unix.sh
    script scripts/check_tcpip.sh
    script scripts/check_tcpip_dhcp.sh
    script scripts/check_http.sh
    script scripts/check_timewait.sh
    script scripts/check_conns.sh 600
    script scripts/check_ipv6.sh
    script scripts/check_dns.sh
    script scripts/check_fetch_lwip.sh
}

part_tls() {
    build tls -j2 all || return
    script scripts/check_tls.sh 300
}

part_solo5() {
    build solo5 -j2 all || return
    script scripts/check_solo5.sh 900
}

part_fuzz() {
    script scripts/check_fuzz.sh
    script scripts/fuzz_frames.sh
    script scripts/fuzz_tls.sh 300 FUZZ_TLS_SECONDS=10
}

part_install() {
    build install -j2 all || return
    script scripts/check_install.sh 600
    script scripts/check_own_unikernel.sh 600
}

part_readme() {
    build readme -j2 all || return
    script scripts/check_readme.sh
}

# ---- Choosing and counting.

parts=()
for arg in "$@"; do
    case $arg in
    CASE=*) case_filter=${arg#CASE=} ;;
    *)
        if ! declare -F "part_${arg//-/_}" >/dev/null; then
            echo "test.sh: no part '$arg'; the parts: check props $ALL_PARTS" >&2
            exit 2
        fi
        parts+=("$arg") ;;
    esac
done
[ ${#parts[@]} -gt 0 ] || read -r -a parts <<<"$ALL_PARTS"

passed=0
failed=0
skipped=0
# The parts print result lines; this shell counts them as they pass.
shopt -s lastpipe
start_all=$(date +%s)
for part in "${parts[@]}"; do
    start_part=$(date +%s)
    echo "# == $part"
    "part_${part//-/_}" 2>&1 | while IFS= read -r line; do
        printf '%s\n' "$line"
        case $line in
        "ok - "*) passed=$((passed + 1)) ;;
        "not ok - "*) failed=$((failed + 1)) ;;
        "skip - "*) skipped=$((skipped + 1)) ;;
        esac
    done
    echo "# $part: $(($(date +%s) - start_part)) s"
done
echo "# total time: $(($(date +%s) - start_all)) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
