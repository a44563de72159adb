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
name="mbedTLS's record input path, as our server configures it, survives any bytes from a client and leaks nothing"
dir=build/fuzz
objdir=$dir/mbedtls
mbedtls=build/mbedtls/src
bin=$dir/fuzz_tls
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
check_begin fuzz
# shellcheck source=scripts/lib/fuzz.sh
. scripts/lib/fuzz.sh
INCLUDE=(-Isrc/tls/port -I"$mbedtls/include" -I"$mbedtls/3rdparty/everest/include"
    '-DMBEDTLS_CONFIG_FILE="miou_mbedtls_config.h"' -Iinclude -Isrc)


why=$(fuzz_why_not)
[ -z "$why" ] || skip_run "$why"
timeout 1800 scripts/fetch_mbedtls.sh "$mbedtls" >"$tmp/fetch.log" 2>&1 ||
    skip_run "mbedTLS's source is missing and could not be fetched ($(grep -m1 'fetch' "$tmp/fetch.log" | cut -c1-120))"

sources=()
for f in $(fuzz_mk_list mk/mbedtls.mk MBEDTLS_FILES); do sources+=("$mbedtls/library/$f"); done
for f in $(fuzz_mk_list mk/mbedtls.mk EVEREST_FILES); do sources+=("$mbedtls/3rdparty/everest/library/$f"); done
[ ${#sources[@]} -gt 40 ] || give_up "no MBEDTLS_FILES in mk/mbedtls.mk"
sources+=(src/tls/platform.c)

# The object of a source: its base name; ours (src/tls/) prefixed, as
# mbedTLS has a platform.c too.
obj_of() {
    case $1 in
    src/*) echo "$objdir/miou_$(basename "${1%.c}").o" ;;
    *) echo "$objdir/$(basename "${1%.c}").o" ;;
    esac
}

# Each file when its object is missing or older than it or our
# configuration.
fuzz_deps=(src/tls/port/miou_mbedtls_config.h)
objs=() pairs=()
for src in "${sources[@]}"; do
    objs+=("$(obj_of "$src")")
    pairs+=("$src:$(obj_of "$src")")
done
fuzz_compile_all "$tmp/build.log" "${pairs[@]}" -- "${INCLUDE[@]}" \
    -I"$mbedtls/library" -I"$mbedtls/3rdparty/everest/include/everest" \
    -I"$mbedtls/3rdparty/everest/include/everest/kremlib" \
    -DKRML_HOST_TIME=krml_no_time ||
    give_up "the build of mbedTLS failed" "$tmp/build.log"
timeout 300 clang "${FUZZ_WARN[@]}" "${FUZZ_SAN[@]}" -fsanitize=fuzzer,address,undefined \
    "${INCLUDE[@]}" tests/fuzz/fuzz_tls.c "${objs[@]}" -o "$bin" \
    >"$tmp/target.log" 2>&1 || give_up "the build of tests/fuzz/fuzz_tls.c failed" "$tmp/target.log"

corpus=$tmp/corpus
mkdir -p "$corpus"
timeout 60 "$bin" --seeds "$corpus" >"$tmp/seeds.log" 2>&1 ||
    give_up "the seeds could not be written: $(lastlines "$tmp/seeds.log")"

fuzz_run "$name" "$seconds" "$tmp/fuzz.out" "$corpus" "$bin" -runs="$runs" \
    -max_len=16384 -timeout=10 -artifact_prefix="$dir/fuzz_tls-"
