#!/usr/bin/env bash
# scripts/test.sh - the whole test suite (make test).
#
# 1. builds everything (make -j2 all) and runs every tests/test_*.c program
#    of the hosted build;
# 2. the same programs built with AddressSanitizer and UBSan (SANITIZE=1),
#    and built with clang;
# 3. the hosted programs under valgrind (test_stress with --scale=10);
# 4. the aarch64 cross build under qemu-user, when aarch64-linux-gnu-gcc
#    and qemu-aarch64 exist;
# 5. the programs that must die (tests/death_*.c): exit status and message;
# 6. the examples, the hosted tender's command line, the README's snippets
#    and the installed library;
# 7. the Solo5 target (scripts/check_solo5.sh): the build with Solo5's
#    toolchain, the unikernels' undefined symbols, the tests and examples
#    under solo5-spt; SKIPPED when Solo5 is not found (SOLO5_HOME or PATH).
#
# Each case prints one line, "ok - <mode>/<topic>: <sentence>",
# "not ok - ..." or "skip - ...: SKIPPED <reason>". A program that crashes,
# hangs or exits badly without saying which case failed counts as one
# failure named after it, followed by the end of its output. The last line
# is "N passed, N failed, N skipped"; the exit status is 0 iff none failed.
set -u
cd "$(dirname "$0")/.." || exit 1

MAKE=${MAKE:-make}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
skipped=0

ok() { echo "ok - $1"; passed=$((passed + 1)); }
fail() { echo "not ok - $1"; failed=$((failed + 1)); }
skip() { echo "skip - $1: SKIPPED $2"; skipped=$((skipped + 1)); }
section() { echo "# == $1"; }

# Print the lines of (file) that explain a failure: sanitizer and valgrind
# reports first, else the end of the output; each as a "#" line.
explain() { # explain FILE
    local lines
    lines=$(grep -E '^==[0-9]+==|ERROR: |runtime error:|^SUMMARY:|fatal|Segmentation|Aborted|Killed' "$1" | head -n 20)
    [ -n "$lines" ] || lines=$(tail -n 15 "$1")
    [ -n "$lines" ] || lines="(no output)"
    printf '%s\n' "$lines" | sed 's/^/#   /'
}

# Run a command with a time limit, its output and errors into (file),
# including the shell's own "Segmentation fault" line when it crashes (the
# subshell, not this shell, reports it). Returns its exit status.
capture() { # capture FILE SECONDS COMMAND...
    local file=$1 secs=$2
    shift 2
    (
        timeout -k 10 "$secs" "$@"
        exit $?
    ) >"$file" 2>&1
}

# Count and echo the result lines of (file), putting (prefix) before each
# topic. Sets nfail to the number of "not ok" lines.
nfail=0
tally() { # tally FILE PREFIX
    local line
    nfail=0
    while IFS= read -r line; do
        case $line in
        "ok - "*)
            echo "ok - $2${line#ok - }"
            passed=$((passed + 1)) ;;
        "not ok - "*)
            echo "not ok - $2${line#not ok - }"
            failed=$((failed + 1))
            nfail=$((nfail + 1)) ;;
        "skip - "*)
            echo "skip - $2${line#skip - }"
            skipped=$((skipped + 1)) ;;
        "#   also: "*) echo "$line" ;;
        esac
    done <"$1"
}

# Run one test program: run_test MODE NAME SECONDS COMMAND...
# The program ends with a "# <topic>: N passed, ..." line when it ran
# every case; its exit status is 1 when some case failed.
run_test() {
    local mode=$1 name=$2 secs=$3 out rc
    shift 3
    out="$tmp/${mode//\//-}.$name.out"
    capture "$out" "$secs" "$@"
    rc=$?
    tally "$out" "$mode/"
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        fail "$mode/$name: timed out after $secs s"
        explain "$out"
    elif ! grep -qE '^# [^ ]+: [0-9]+ passed, [0-9]+ failed' "$out"; then
        fail "$mode/$name: did not finish (exit status $rc)"
        explain "$out"
    elif [ $rc -eq 99 ] && [ "$mode" = valgrind ]; then
        fail "$mode/$name: valgrind reported errors"
        explain "$out"
    elif [ $rc -ne 0 ] && [ $nfail -eq 0 ]; then
        fail "$mode/$name: exit status $rc although no case failed"
        explain "$out"
    elif [ $rc -eq 0 ] && [ $nfail -ne 0 ]; then
        fail "$mode/$name: exit status 0 although $nfail cases failed"
    fi
}

# Build with make: build LABEL LOG ARGS...; 0 on success.
build() {
    local label=$1 log="$tmp/$2.build.log"
    shift 2
    if "$MAKE" "$@" >"$log" 2>&1; then
        return 0
    fi
    fail "$label: $MAKE $*"
    grep -E 'error:|\*\*\*|undefined reference' "$log" | head -n 15 |
        sed 's/^/#   /'
    return 1
}

test_names() {
    local src
    for src in tests/test_*.c; do
        [ -e "$src" ] && basename "$src" .c
    done
}

# A fresh folder for one run's devices (disk images, sockets).
devdir() { mktemp -d -p "$tmp" dev.XXXXXX; }

# A disk image of (blocks) zeroed sectors of (size) bytes: image PATH SIZE BLOCKS
image() { dd if=/dev/zero of="$1" bs="$2" count="$3" status=none; }

# Run one test program of (dir), with the devices its manifest declares:
# run_one MODE DIR SECONDS NAME RUNNER...
run_one() {
    local mode=$1 dir=$2 secs=$3 name=$4 d sector
    shift 4
    case $name in
    test_block)
        # Both sector sizes Solo5 tests: the unit comes from the device.
        # Under sim the disk is in memory: no image file to look at.
        for sector in 512 4096; do
            if [[ $mode == sim* ]]; then
                run_test "$mode/sector-$sector" "$name" "$secs" "$@" \
                    "$dir/$name" --block:storage=$((sector * 64)) \
                    --block-sector-size:storage="$sector" -- --sector="$sector"
                continue
            fi
            d=$(devdir)
            image "$d/disk.img" "$sector" 64
            run_test "$mode/sector-$sector" "$name" "$secs" "$@" \
                "$dir/$name" --block:storage="$d/disk.img" \
                --block-sector-size:storage="$sector" \
                -- --image="$d/disk.img" --sector="$sector"
        done ;;
    test_net)
        d=$(devdir)
        run_test "$mode" "$name" "$secs" "$@" "$dir/$name" \
            --net:service="unix:$d/svc,$d/peer" \
            -- --local="$d/svc" --peer="$d/peer" ;;
    test_tcpip)
        # Its tasks talk to the interface's own address: the device only
        # needs to exist (a unix: socket nobody reads; under sim, silent).
        d=$(devdir)
        if [[ $mode == sim* ]]; then
            run_test "$mode" "$name" "$secs" "$@" "$dir/$name" \
                --net:service=silent
        else
            run_test "$mode" "$name" "$secs" "$@" "$dir/$name" \
                --net:service="unix:$d/svc,$d/peer"
        fi ;;
    test_memory)
        # Fills the heap: a small one, as scripts/check_solo5.sh uses.
        run_test "$mode" "$name" "$secs" "$@" "$dir/$name" --mem=64 ;;
    test_args)
        # Its last case reads the command line the platform handed over.
        run_test "$mode" "$name" "$secs" "$@" "$dir/$name" \
            -- --solo5:quiet --own=1 --one --two --solo5:debug ;;
    test_stress)
        if [ "$mode" = valgrind ]; then
            run_test "$mode" "$name" "$secs" "$@" "$dir/$name" -- --scale=10
        elif [ "$mode" = asan ] || [ "$mode" = sim-asan ]; then
            # The core's memory comes from --mem; AddressSanitizer adds
            # 32 KiB to every stack: 100,000 tasks would need 4.8 GiB.
            run_test "$mode" "$name" "$secs" "$@" "$dir/$name" --mem=1024 \
                -- --scale=10
        else
            run_test "$mode" "$name" "$secs" "$@" "$dir/$name"
        fi ;;
    *)
        run_test "$mode" "$name" "$secs" "$@" "$dir/$name" ;;
    esac
}

# Test programs of the hosted tender itself, not built for sim (mk/hosted.mk).
SIM_EXCLUDED=" test_hosted_threads test_tender_devices test_net "

# Run every test program of (dir): run_all MODE DIR SECONDS [RUNNER...]
run_all() {
    local mode=$1 dir=$2 secs=$3 name
    shift 3
    for name in $(test_names); do
        if [[ $mode == sim* ]] && [[ $SIM_EXCLUDED == *" $name "* ]]; then
            continue
        fi
        if [ ! -x "$dir/$name" ]; then
            fail "$mode/$name: $dir/$name was not built"
            continue
        fi
        run_one "$mode" "$dir" "$secs" "$name" "$@"
    done
}

# ---- Programs that must die: each run must exit with status 255 and
# print a message containing the given words.
death_case() { # death_case MODE DIR PROGRAM SENTENCE ARG PATTERN... -- RUNNER...
    local mode=$1 dir=$2 prog=$3 sentence=$4 arg=$5 out rc pat missing=
    shift 5
    local pats=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        pats+=("$1")
        shift
    done
    [ $# -gt 0 ] && shift
    out="$tmp/$mode.$prog.$arg.out"
    if [ ! -x "$dir/$prog" ]; then
        fail "$mode/death: $sentence: $dir/$prog was not built"
        return
    fi
    capture "$out" 60 "$@" "$dir/$prog" -- "$arg"
    rc=$?
    for pat in "${pats[@]}"; do
        grep -qF -- "$pat" "$out" || missing="$missing '$pat'"
    done
    if [ $rc -ne 255 ]; then
        fail "$mode/death: $sentence: exit status $rc, expected 255"
        explain "$out"
    elif [ -n "$missing" ]; then
        fail "$mode/death: $sentence: the message lacks$missing"
        explain "$out"
    else
        ok "$mode/death: $sentence"
    fi
}

run_deaths() { # run_deaths MODE DIR [RUNNER...]
    local mode=$1 dir=$2 how src prog
    shift 2
    for how in yield sleep return; do
        death_case "$mode" "$dir" death_stack_overflow \
            "a task overflowing its 16 KiB stack, then calling $how, aborts naming it" \
            "$how" "stack overflow" "overflowing-task" "16384" -- "$@"
    done
    death_case "$mode" "$dir" death_deadlock \
        "a deadlock that cancellation cannot break aborts, listing the tasks" \
        "" "fatal" "deadlock" "stuck-waiter" -- "$@"
    # Any other program that must die: status 255 and a fatal message.
    for src in tests/death_*.c; do
        [ -e "$src" ] || continue
        prog=$(basename "$src" .c)
        case $prog in death_stack_overflow | death_deadlock) continue ;; esac
        death_case "$mode" "$dir" "$prog" "$prog aborts with a fatal message" \
            "" "fatal" -- "$@"
    done
}

# ---- Examples: exact output, and the sleep takes its time.
run_examples() {
    local dir=build/hosted/examples out="$tmp/example.out" start end ms
    if [ ! -x "$dir/hello" ]; then
        fail "examples: hello: $dir/hello was not built"
    elif [ "$(timeout 30 "$dir/hello" --solo5:quiet 2>&1)" = "Hello World" ]; then
        ok "examples: hello prints Hello World (and nothing else with --solo5:quiet)"
    else
        fail "examples: hello prints Hello World: got '$(timeout 30 "$dir/hello" --solo5:quiet 2>&1 | head -c 200)'"
    fi
    if [ -x "$dir/hello" ]; then
        timeout 30 "$dir/hello" >"$out" 2>"$out.err"
        if [ "$(cat "$out")" = "Hello World" ] &&
            grep -q '^miou-solo5 .*hosted platform, heap 512 MiB' "$out.err" &&
            grep -q 'solo5_app_main() returned 0' "$out.err"; then
            ok "examples: without --solo5:quiet the platform's banner and exit go to standard error"
        else
            fail "examples: the platform's banner on standard error: got '$(head -c 300 "$out.err" | tr '\n' '|')'"
        fi
    fi
    if [ ! -x "$dir/schedule" ]; then
        fail "examples: schedule: $dir/schedule was not built"
    else
        timeout 30 "$dir/schedule" --solo5:quiet >"$out" 2>&1
        if printf 'Hello\nWorld\n' | cmp -s - "$out"; then
            ok "examples: schedule prints Hello then World"
        else
            fail "examples: schedule prints Hello then World: got '$(head -c 200 "$out" | tr '\n' '|')'"
        fi
    fi
    if [ ! -x "$dir/sleep" ]; then
        fail "examples: sleep: $dir/sleep was not built"
    else
        start=$(date +%s%N)
        timeout 30 "$dir/sleep" --solo5:quiet >"$out" 2>&1
        end=$(date +%s%N)
        ms=$(((end - start) / 1000000))
        if ! printf 'Hello\nWorld\n' | cmp -s - "$out"; then
            fail "examples: sleep prints Hello then World: got '$(head -c 200 "$out" | tr '\n' '|')'"
        elif [ $ms -lt 2000 ]; then
            fail "examples: sleep takes at least 2 s: took $ms ms"
        else
            ok "examples: sleep prints Hello then World and takes at least 2 s ($ms ms)"
        fi
        # SIGUSR1 makes a hosted unikernel list its tasks, even asleep.
        # (not under timeout(1), whose pid would get the signal; the
        # example ends by itself after 2 s)
        "$dir/sleep" >"$out" 2>&1 &
        local pid=$!
        sleep 0.5
        kill -USR1 $pid 2>/dev/null
        wait $pid
        if grep -q "^- 'main' #1 waiting on sleep (deadline in [0-9]* ms)" "$out" &&
            grep -q '^World$' "$out"; then
            ok "examples: SIGUSR1 lists the sleeping task and the program goes on"
        else
            fail "examples: SIGUSR1 lists the sleeping task: got '$(head -c 300 "$out" | tr '\n' '|')'"
        fi
    fi
}

# The README's first command's demo (scripts/demo.sh), on both of its
# paths: in a network namespace when it can make one, and over UNIX
# sockets as a user without privileges would run it.
run_demo() {
    local how out="$tmp/demo.out" rc
    for how in default unprivileged; do
        if [ $how = default ]; then
            capture "$out" 120 scripts/demo.sh
        else
            capture "$out" 120 env MIOU_DEMO_UNPRIVILEGED=1 scripts/demo.sh
        fi
        rc=$?
        if [ $rc -eq 0 ] && grep -q '^demo: ok$' "$out" &&
            grep -q '^demo.sh: ok$' "$out"; then
            ok "demo: scripts/demo.sh ($how path) serves every ping and ends ok"
        else
            fail "demo: scripts/demo.sh ($how path): exit status $rc"
            explain "$out"
        fi
    done
}

# A script printing result lines: run_script SCRIPT
run_script() { # run_script SCRIPT [SECONDS (300)]
    local out rc
    # A script that cannot run is a failure, not a silent pass:
    # check_http.sh went unrun for as long as it lacked its x bit.
    if [ ! -x "$1" ]; then
        fail "$(basename "$1"): not an executable file"
        return
    fi
    out="$tmp/$(basename "$1").out"
    capture "$out" "${2:-300}" "$1"
    rc=$?
    tally "$out" ""
    if [ $rc -ne 0 ]; then
        fail "$(basename "$1"): exit status $rc"
        explain "$out"
    elif ! grep -qE '^(ok|not ok|skip) - ' "$out"; then
        fail "$(basename "$1"): printed no result"
        explain "$out"
    fi
}

# ---- libFuzzer over examples/lib (tests/fuzz/fuzz_netstack.c), bounded:
# the target and its seed generator are built with clang into build/fuzz/;
# the seeds are written to a fresh corpus in $tmp, which the run grows
# (the repository is left alone); FUZZ_RUNS runs at most, FUZZ_SECONDS
# seconds at most. One result line. A failing input is kept in build/fuzz/
# (crash-*): run build/fuzz/fuzz_netstack on it to see the failure again.
FUZZ_RUNS=${FUZZ_RUNS:-1000000}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
# The flags of every fuzz target: the project's warnings, libFuzzer and
# the sanitizers.
FUZZ_WARN=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow
    -Wstrict-prototypes -Wmissing-prototypes)
FUZZ_FLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined
    -fno-sanitize-recover=undefined)

# One result line for a fuzz run: fuzz_verdict NAME STATUS OUTPUT CORPUS.
# It passed when libFuzzer exited 0 after its "Done N runs" line; else the
# lines that explain the failure (property, sanitizer, saved input).
fuzz_verdict() {
    local name=$1 rc=$2 out=$3 corpus=$4 done_line
    done_line=$(grep -m1 -E '^Done [0-9]+ runs in [0-9]+ second' "$out")
    if [ "$rc" -eq 0 ] && [ -n "$done_line" ]; then
        ok "$name ($(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1 runs in \2 s/'), $(ls "$corpus" | wc -l) inputs in the corpus)"
    else
        fail "$name: exit status $rc"
        grep -E 'property failed|status [0-9-]+, stderr|ERROR: |runtime error:|^SUMMARY:|Test unit written|^Base64:' "$out" |
            head -n 12 | sed 's/^/#   /'
        [ -s "$out" ] || echo "#   (no output)"
    fi
}

run_fuzz() {
    local name="fuzz: answer_frame, arp_reply_parse, echo_reply_parse and ipv4_parse keep their properties on any bytes"
    local dir=build/fuzz log="$tmp/fuzz.log" out="$tmp/fuzz.out"
    local corpus="$tmp/fuzz-corpus"
    if ! command -v clang >/dev/null 2>&1; then
        skip "$name" "clang is not installed"
        return
    fi
    # libFuzzer's runtime comes with clang on Debian (libclang-rt-*-dev);
    # without it even an empty target does not link.
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
        >"$tmp/fuzz_probe.c"
    if ! clang "${FUZZ_FLAGS[@]}" "$tmp/fuzz_probe.c" -o "$tmp/fuzz_probe" >"$log" 2>&1; then
        skip "$name" "clang cannot link a libFuzzer target (no libFuzzer runtime: $(grep -m1 -E 'cannot find|not found|error' "$log" | cut -c1-120))"
        return
    fi
    mkdir -p "$dir" "$corpus"
    if ! clang "${FUZZ_WARN[@]}" -O1 tests/fuzz/seeds.c examples/lib/netstack.c \
        -o "$dir/seeds" >"$log" 2>&1 ||
        ! clang "${FUZZ_WARN[@]}" "${FUZZ_FLAGS[@]}" tests/fuzz/fuzz_netstack.c \
            examples/lib/netstack.c -o "$dir/fuzz_netstack" >>"$log" 2>&1; then
        fail "$name: the build failed"
        grep -E 'error|warning' "$log" | head -n 15 | sed 's/^/#   /'
        return
    fi
    if ! "$dir/seeds" "$corpus" >"$log" 2>&1; then
        fail "$name: the seed generator failed"
        explain "$log"
        return
    fi
    capture "$out" $((FUZZ_SECONDS + 120)) "$dir/fuzz_netstack" \
        -runs="$FUZZ_RUNS" -max_total_time="$FUZZ_SECONDS" -max_len=4096 \
        -timeout=20 -artifact_prefix="$dir/" "$corpus"
    fuzz_verdict "$name" $? "$out" "$corpus"
}

# ---- libFuzzer over the manifest tool (tests/fuzz/fuzz_manifest.c, which
# runs tools/miou-manifest.c's main on each input), bounded the same way:
# the seeds (tests/fuzz/manifest-seeds, tests/tender) are copied to a
# fresh corpus in $tmp, the target's own files go to $tmp too. A failing
# input is kept as build/fuzz/fuzz_manifest-crash-* (or -leak-, -timeout-).
# Run after run_fuzz, whose probe says whether libFuzzer links.
FUZZ_MANIFEST_RUNS=${FUZZ_MANIFEST_RUNS:-300000}
FUZZ_MANIFEST_SECONDS=${FUZZ_MANIFEST_SECONDS:-20}
run_fuzz_manifest() {
    local name="fuzz: miou-manifest exits 0 with well-formed C or 1 with one line and no output, on any bytes"
    local dir=build/fuzz log="$tmp/fuzz-manifest.log" out="$tmp/fuzz-manifest.out"
    local corpus="$tmp/fuzz-manifest-corpus"
    if ! command -v clang >/dev/null 2>&1; then
        skip "$name" "clang is not installed"
        return
    elif [ ! -x "$tmp/fuzz_probe" ]; then
        skip "$name" "clang cannot link a libFuzzer target"
        return
    fi
    mkdir -p "$dir" "$corpus"
    cp tests/fuzz/manifest-seeds/*.json tests/tender/*.json "$corpus"/
    if ! clang "${FUZZ_WARN[@]}" "${FUZZ_FLAGS[@]}" tests/fuzz/fuzz_manifest.c \
        -o "$dir/fuzz_manifest" >"$log" 2>&1; then
        fail "$name: the build failed"
        grep -E 'error|warning' "$log" | head -n 15 | sed 's/^/#   /'
        return
    fi
    capture "$out" $((FUZZ_MANIFEST_SECONDS + 120)) env TMPDIR="$tmp" \
        "$dir/fuzz_manifest" -runs="$FUZZ_MANIFEST_RUNS" \
        -max_total_time="$FUZZ_MANIFEST_SECONDS" -max_len=8192 -timeout=10 \
        -dict=tests/fuzz/manifest.dict -artifact_prefix="$dir/fuzz_manifest-" \
        "$corpus"
    fuzz_verdict "$name" $? "$out" "$corpus"
}

start=$(date +%s)

section "hosted: build/hosted/tests"
if build hosted/build hosted -j2 all; then
    hosted_built=1
    run_all hosted build/hosted/tests 300
else
    hosted_built=0
fi

section "asan: AddressSanitizer and UBSan, build/hosted-san/tests"
if build asan/build san -j2 SANITIZE=1 tests; then
    run_all asan build/hosted-san/tests 600
fi

section "clang: the same programs built with clang, build/hosted-clang/tests"
if ! command -v clang >/dev/null 2>&1; then
    skip "clang: every test program" "clang is not installed"
elif build clang/build clang -j2 CC=clang BUILD=build/hosted-clang tests; then
    run_all clang build/hosted-clang/tests 300
fi

section "valgrind: build/hosted/tests"
if ! command -v valgrind >/dev/null 2>&1; then
    skip "valgrind: every test program" "valgrind is not installed"
elif [ $hosted_built -eq 1 ]; then
    run_all valgrind build/hosted/tests 600 \
        valgrind --error-exitcode=99 --leak-check=full -q
fi

section "aarch64: cross build under qemu-user, build/hosted-aarch64/tests"
if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then
    skip "aarch64: every test program" "aarch64-linux-gnu-gcc is not installed"
elif ! command -v qemu-aarch64 >/dev/null 2>&1; then
    skip "aarch64: every test program" "qemu-aarch64 is not installed"
elif build aarch64/build aarch64 -j2 ARCH_PREFIX=aarch64-linux-gnu- tests; then
    run_all aarch64 build/hosted-aarch64/tests 600 \
        qemu-aarch64 -L /usr/aarch64-linux-gnu
    run_deaths aarch64 build/hosted-aarch64/tests \
        qemu-aarch64 -L /usr/aarch64-linux-gnu
fi

if [ $hosted_built -eq 1 ]; then
    section "death: programs that must die"
    run_deaths hosted build/hosted/tests
    section "examples, README, install"
    run_examples
    run_demo
    run_script scripts/check_tender.sh
    run_script scripts/check_block_image.sh
    run_script scripts/check_net_unix.sh
    run_script scripts/check_net_tap.sh
    run_script scripts/check_tcpip_unix.sh
    run_script scripts/check_tcpip.sh
    run_script scripts/check_tcpip_dhcp.sh
    run_script scripts/check_http.sh
    run_script scripts/check_readme.sh
    run_script scripts/check_install.sh
    section "solo5: the same programs as unikernels under solo5-spt (skipped without Solo5)"
    run_script scripts/check_solo5.sh 900
fi

section "sim: the test programs in virtual time, the property programs over many seeds"
# SIM_SEEDS: seeds per property (1,000 by default; make sim-test SEEDS=N).
SIM_SEEDS=${SIM_SEEDS:-1000}
# Run the property programs of (dir) over (seeds) seeds each:
# run_props MODE DIR SEEDS
run_props() {
    local mode=$1 dir=$2 seeds=$3 prop name args
    for prop in "$dir"/prop_*; do
        name=$(basename "$prop")
        case $name in
        prop_broken) continue ;; # broken on purpose: scripts/check_sim.sh
        prop_devices) args=(--net:link=silent --block:disk=1M) ;;
        *) args=() ;;
        esac
        run_test "$mode" "$name" 600 "$prop" "${args[@]}" -- \
            --seeds="$seeds" --program="$prop"
    done
}
# The same seed gives the same digest on another machine: the programs
# built for aarch64, run under qemu-user, against the x86_64 ones. (A
# program printing addresses, as miou_dump() does, differs: the frames
# of the two architectures differ in size.)
sim_cross_arch() {
    local prog args a b
    if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 ||
        ! command -v qemu-aarch64 >/dev/null 2>&1; then
        skip "sim/aarch64: the same digests on aarch64" "the aarch64 cross compiler or qemu-aarch64 is not installed"
        return
    fi
    build sim/aarch64-build sim-aarch64 -j2 PLATFORM=sim \
        ARCH_PREFIX=aarch64-linux-gnu- tests examples || return
    while read -r prog args; do
        # shellcheck disable=SC2086 # args are words
        a=$(timeout 300 "build/sim/$prog" $args 2>&1 >/dev/null | grep '^sim: seed')
        # shellcheck disable=SC2086
        b=$(timeout 300 qemu-aarch64 -L /usr/aarch64-linux-gnu \
            "build/sim-aarch64/$prog" $args 2>&1 >/dev/null | grep '^sim: seed')
        if [ -n "$a" ] && [ "$a" = "$b" ]; then
            ok "sim/aarch64: $prog $args: the same digest on x86_64 and aarch64 (${a##*digest })"
        else
            fail "sim/aarch64: $prog $args: x86_64 '$a', aarch64 '$b'"
        fi
    done <<'EOF_CASES'
tests/test_time --seed=42
tests/test_sync --seed=9
tests/test_await --seed=5
examples/demo --seed=3 --net:service=pinger:20 --block:storage=256K -- --seconds=1
examples/ping --seed=7 --net:service=pinger:20 --net-faults:service=delay=1ms..5ms,loss=5%,dup=5%,reorder=10% -- --seconds=2
examples/echo --seed=4 --net:service=echo-client:1M,4 --net-faults:service=delay=100us..2ms,loss=1%,dup=1%,reorder=1% -- --seconds=60
EOF_CASES
}

if build sim/build sim -j2 PLATFORM=sim all; then
    run_all sim build/sim/tests 300
    run_props sim build/sim/tests/sim "$SIM_SEEDS"
    run_deaths sim build/sim/tests
    run_script scripts/check_sim.sh
    run_script scripts/check_sim_tcpip.sh
    sim_cross_arch
fi

section "sim-asan: the same under AddressSanitizer and UBSan, build/sim-san/"
if build sim-asan/build sim-san -j2 PLATFORM=sim SANITIZE=1 tests examples; then
    run_all sim-asan build/sim-san/tests 600
    run_props sim-asan build/sim-san/tests/sim 100
    BUILD=build/sim-san run_script scripts/check_sim_tcpip.sh
fi

section "fuzz: libFuzzer over examples/lib, the manifest tool and lwIP's frame input, bounded"
run_fuzz
run_fuzz_manifest
run_script scripts/fuzz_frames.sh

echo "# total time: $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
