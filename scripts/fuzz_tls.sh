#!/usr/bin/env bash
# scripts/fuzz_tls.sh - libFuzzer over the TLS record input path
# (tests/fuzz/fuzz_tls.c): a server session of mbedTLS with our
# configuration fed the input as what a client sends, for a bounded time.
#
#   scripts/fuzz_tls.sh [SECONDS (FUZZ_TLS_SECONDS, 20)] [RUNS (100000000)]
#
# 1. fetches mbedTLS's source when missing (scripts/fetch_mbedtls.sh);
# 2. builds the files of mk/mbedtls.mk's MBEDTLS_FILES and EVEREST_FILES
#    and src/tls/platform.c with clang, coverage and the sanitizers, into
#    build/fuzz/mbedtls/ (kept between runs), and the target;
# 3. writes the seeds (whole client sides of a TLS 1.3 and a TLS 1.2
#    conversation: build/fuzz/fuzz_tls --seeds) into a fresh corpus in a
#    temporary folder, which the run grows;
# 4. runs the fuzzer for SECONDS at most, RUNS inputs at most.
#
# One result line: "ok - fuzz: ...", "not ok - fuzz: ..." (the failing
# input kept as build/fuzz/fuzz_tls-crash-*), or "skip - ...: SKIPPED
# reason". Exit status 0 unless something failed.
set -u
cd "$(dirname "$0")/.." || exit 1
seconds=${1:-${FUZZ_TLS_SECONDS:-20}}
runs=${2:-100000000}
name="fuzz: mbedTLS's record input path, as our server configures it, survives any bytes from a client and leaks nothing"
dir=build/fuzz
objdir=$dir/mbedtls
mbedtls=build/mbedtls/src
bin=$dir/fuzz_tls
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

WARN=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow
    -Wstrict-prototypes -Wmissing-prototypes)
SAN=(-g -O1 -fno-sanitize-recover=undefined)
INCLUDE=(-Isrc/tls/port -I"$mbedtls/include" -I"$mbedtls/3rdparty/everest/include"
    '-DMBEDTLS_CONFIG_FILE="miou_mbedtls_config.h"' -Iinclude -Isrc)

skip() { echo "skip - $name: SKIPPED $1"; exit 0; }
fail() {
    echo "not ok - $name: $1"
    [ -n "${2:-}" ] && [ -s "$2" ] &&
        grep -E 'error|warning|undefined reference' "$2" | head -n 15 | sed 's/^/#   /'
    exit 1
}

command -v clang >/dev/null 2>&1 || skip "clang is not installed"
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
    >"$tmp/probe.c"
clang "${SAN[@]}" -fsanitize=fuzzer,address,undefined "$tmp/probe.c" -o "$tmp/probe" \
    >"$tmp/probe.log" 2>&1 || skip "clang cannot link a libFuzzer target (no libFuzzer runtime)"
timeout 1800 scripts/fetch_mbedtls.sh "$mbedtls" >"$tmp/fetch.log" 2>&1 ||
    skip "mbedTLS's source is missing and could not be fetched ($(grep -m1 'fetch' "$tmp/fetch.log" | cut -c1-120))"

# A list of mk/mbedtls.mk: the lines of "NAME := ... \".
mk_list() {
    awk -v name="$1" '$1 == name && $2 == ":=" { on = 1; sub(/^[^=]*:=/, "") }
        on { line = $0; sub(/\\[ \t]*$/, "", line); printf "%s ", line
             if ($0 !~ /\\[ \t]*$/) exit }' mk/mbedtls.mk
}
sources=()
for f in $(mk_list MBEDTLS_FILES); do sources+=("$mbedtls/library/$f"); done
for f in $(mk_list EVEREST_FILES); do sources+=("$mbedtls/3rdparty/everest/library/$f"); done
[ ${#sources[@]} -gt 40 ] || fail "no MBEDTLS_FILES in mk/mbedtls.mk"
sources+=(src/tls/platform.c)

# The object of a source: its base name; ours (src/tls/) prefixed, as
# mbedTLS has a platform.c too.
obj_of() {
    case $1 in
    src/*) echo "$objdir/miou_$(basename "${1%.c}").o" ;;
    *) echo "$objdir/$(basename "${1%.c}").o" ;;
    esac
}

# Compile one file when its object is missing or older than it or our
# configuration.
compile_one() {
    local src=$1 obj
    obj=$(obj_of "$1")
    if [ -e "$obj" ] && [ ! "$src" -nt "$obj" ] &&
        [ ! src/tls/port/miou_mbedtls_config.h -nt "$obj" ]; then
        return 0
    fi
    timeout 300 clang -std=c11 -D_GNU_SOURCE "${SAN[@]}" \
        -fsanitize=fuzzer-no-link,address,undefined "${INCLUDE[@]}" \
        -I"$mbedtls/library" -I"$mbedtls/3rdparty/everest/include/everest" \
        -I"$mbedtls/3rdparty/everest/include/everest/kremlib" \
        -c "$src" -o "$obj.tmp.$$" && mv "$obj.tmp.$$" "$obj"
}
mkdir -p "$objdir"
objs=() pids=() failed=0
for src in "${sources[@]}"; do
    objs+=("$(obj_of "$src")")
    compile_one "$src" >>"$tmp/build.log" 2>&1 &
    pids+=($!)
    if [ ${#pids[@]} -ge "$(nproc)" ]; then
        wait "${pids[0]}" || failed=1
        pids=("${pids[@]:1}")
    fi
done
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ $failed = 0 ] || fail "the build of mbedTLS failed" "$tmp/build.log"
timeout 300 clang "${WARN[@]}" "${SAN[@]}" -fsanitize=fuzzer,address,undefined \
    "${INCLUDE[@]}" tests/fuzz/fuzz_tls.c "${objs[@]}" -o "$bin" \
    >"$tmp/target.log" 2>&1 || fail "the build of tests/fuzz/fuzz_tls.c failed" "$tmp/target.log"

corpus=$tmp/corpus
mkdir -p "$corpus"
timeout 60 "$bin" --seeds "$corpus" >"$tmp/seeds.log" 2>&1 ||
    fail "the seeds could not be written: $(tail -n 3 "$tmp/seeds.log" | tr '\n' '|')"

out=$tmp/fuzz.out
timeout -k 10 $((seconds + 120)) "$bin" -runs="$runs" -max_total_time="$seconds" \
    -max_len=16384 -timeout=10 -artifact_prefix="$dir/fuzz_tls-" "$corpus" >"$out" 2>&1
rc=$?
done_line=$(grep -m1 -E '^Done [0-9]+ runs in [0-9]+ second' "$out")
if [ $rc -eq 0 ] && [ -n "$done_line" ]; then
    echo "ok - $name ($(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1 runs in \2 s/'), $(ls "$corpus" | wc -l) inputs in the corpus, from seeds of $(wc -c <"$corpus/tls13") and $(wc -c <"$corpus/tls12") bytes)"
else
    echo "not ok - $name: exit status $rc"
    grep -E 'fuzz_tls:|ERROR: |runtime error:|^SUMMARY:|Test unit written' "$out" | head -n 12 | sed 's/^/#   /'
    exit 1
fi
