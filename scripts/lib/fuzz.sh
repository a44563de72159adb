# shellcheck shell=bash
# What the libFuzzer scripts share (check_fuzz.sh, fuzz_frames.sh,
# fuzz_tls.sh), after scripts/lib/check.sh (for $tmp, ok, fail, skip):
# the flags, the probe for libFuzzer's runtime, the parallel build of a
# library's files with coverage, and the verdict of a run.

# For a script of one case, named $name: the case SKIPPED with REASON,
# or failed with WHY (and the errors of the build LOG), and stop.
skip_run() { # skip_run REASON
    skip "$name" "$1"
    exit 0
}
give_up() { # give_up WHY [LOG]
    fail "$name: $1"
    [ -n "${2:-}" ] && [ -s "$2" ] && fuzz_errors "$2"
    exit 1
}

# The project's warnings (our code only) and the sanitizers' options.
FUZZ_WARN=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow
    -Wstrict-prototypes -Wmissing-prototypes)
FUZZ_SAN=(-g -O1 -fno-sanitize-recover=undefined)

# fuzz_why_not: nothing when clang can link a libFuzzer target; else why
# not, in one line. libFuzzer's runtime comes with clang on Debian
# (libclang-rt-*-dev): without it even an empty target does not link.
fuzz_why_not() {
    if ! command -v clang >/dev/null 2>&1; then
        echo "clang is not installed"
        return
    fi
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
        >"$tmp/probe.c"
    clang "${FUZZ_SAN[@]}" -fsanitize=fuzzer,address,undefined \
        "$tmp/probe.c" -o "$tmp/probe" >"$tmp/probe.log" 2>&1 ||
        echo "clang cannot link a libFuzzer target (no libFuzzer runtime: $(grep -m1 -E 'cannot find|not found|error' "$tmp/probe.log" | cut -c1-120))"
}

# fuzz_mk_list MAKEFILE NAME: the words of "NAME := ... \" in MAKEFILE,
# over as many lines as its backslashes join.
fuzz_mk_list() {
    awk -v name="$2" '$1 == name && $2 == ":=" { on = 1; sub(/^[^=]*:=/, "") }
        on { line = $0; sub(/\\[ \t]*$/, "", line); printf "%s ", line
             if ($0 !~ /\\[ \t]*$/) exit }' "$1"
}

# fuzz_compile_all LOG SRC:OBJ... -- CLANG-ARGUMENTS...: compile each SRC
# into OBJ with coverage and the sanitizers, a few at a time, when OBJ is
# missing or older than SRC or any file of $fuzz_deps (an array). Status
# 1 when one failed (its errors in LOG).
fuzz_deps=()
fuzz_compile_all() {
    local log=$1 pair pids=() failed=0 jobs
    shift
    local pairs=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        pairs+=("$1")
        shift
    done
    [ $# -gt 0 ] && shift
    jobs=$(nproc 2>/dev/null || echo 2)
    for pair in "${pairs[@]}"; do
        fuzz_compile_one "${pair%%:*}" "${pair#*:}" "$@" >>"$log" 2>&1 &
        pids+=($!)
        if [ ${#pids[@]} -ge "$jobs" ]; then
            wait "${pids[0]}" || failed=1
            pids=("${pids[@]:1}")
        fi
    done
    for pair in "${pids[@]}"; do
        wait "$pair" || failed=1
    done
    return $failed
}

fuzz_compile_one() {
    local src=$1 obj=$2 dep
    shift 2
    if [ -e "$obj" ]; then
        for dep in "$src" "${fuzz_deps[@]}"; do
            [ "$dep" -nt "$obj" ] && break
            dep=
        done
        [ -z "$dep" ] && return 0
    fi
    mkdir -p "$(dirname "$obj")" || return 1
    if ! timeout 300 clang -std=c11 -D_GNU_SOURCE "${FUZZ_SAN[@]}" \
        -fsanitize=fuzzer-no-link,address,undefined "$@" \
        -c "$src" -o "$obj.tmp.$$"; then
        rm -f "$obj.tmp.$$"
        return 1
    fi
    mv "$obj.tmp.$$" "$obj"
}

# fuzz_errors LOG: the lines of a build's LOG that say what failed.
fuzz_errors() {
    grep -E 'error|warning|undefined reference' "$1" | head -n 15 |
        sed 's/^/#   /'
}

# fuzz_run SENTENCE SECONDS OUT CORPUS TARGET LIBFUZZER-ARGUMENTS...: run
# TARGET over CORPUS for SECONDS at most, its output in OUT, and print the
# case: passed when libFuzzer exited 0 after its "Done N runs" line;
# else the lines that explain the failure. Status 0 when it passed.
fuzz_run() {
    local sentence=$1 secs=$2 out=$3 corpus=$4 target=$5 rc done_line
    shift 5
    (
        timeout -k 10 $((secs + 120)) "$target" -max_total_time="$secs" \
            "$@" "$corpus"
        exit $?
    ) >"$out" 2>&1
    rc=$?
    done_line=$(grep -m1 -E '^Done [0-9]+ runs in [0-9]+ second' "$out")
    if [ $rc -eq 0 ] && [ -n "$done_line" ]; then
        ok "$sentence ($(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1 runs in \2 s/'), $(find "$corpus" -type f | wc -l) inputs in the corpus)"
        return 0
    fi
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        fail "$sentence: the run did not end within $((secs + 120)) s"
    else
        fail "$sentence: exit status $rc"
    fi
    grep -E 'property failed|assertion failed|status [0-9-]+, stderr|ERROR: |runtime error:|^SUMMARY:|Test unit written|^Base64:' "$out" |
        head -n 12 | sed 's/^/#   /'
    [ -s "$out" ] || echo "#   (no output)"
    return 1
}
