#!/usr/bin/env bash
# libFuzzer, bounded, over what reads bytes from outside: examples/lib's
# frame parsers (tests/fuzz/fuzz_netstack.c), the manifest tool
# (tests/fuzz/fuzz_manifest.c, which runs tools/miou-manifest.c's main on
# each input) and the resolver's DNS answers (tests/fuzz/fuzz_dns.c over
# src/tcpip/dns_msg.c). lwIP's frame input has its own script,
# fuzz_frames.sh.
#
# Each target is built with clang into build/fuzz/; its seeds are written
# to a fresh corpus in a temporary folder, which the run grows (the tree
# is left alone). A failing input is kept in build/fuzz/ (crash-*, or
# fuzz_manifest-crash-*): run the target on it to see the failure again.
# FUZZ_RUNS / FUZZ_SECONDS, FUZZ_MANIFEST_RUNS / FUZZ_MANIFEST_SECONDS and
# FUZZ_DNS_RUNS / FUZZ_DNS_SECONDS bound the runs.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
check_begin fuzz
dir=build/fuzz
log=$tmp/log
WARN=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow
    -Wstrict-prototypes -Wmissing-prototypes)
FLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined
    -fno-sanitize-recover=undefined)
netstack="answer_frame, arp_reply_parse, echo_reply_parse and ipv4_parse keep their properties on any bytes"
manifest="miou-manifest exits 0 with well-formed C or 1 with one line and no output, on any bytes"
dns="the DNS answer parser (dns_msg.c) drops or takes any bytes within bounds, and builds queries that parse back"

# skip_all REASON: both cases SKIPPED.
skip_all() {
    skip "$netstack" "$1"
    skip "$manifest" "$1"
    skip "$dns" "$1"
    exit 0
}

# verdict SENTENCE STATUS OUTPUT CORPUS: passed when libFuzzer exited 0
# after its "Done N runs" line; else the lines that explain the failure.
verdict() {
    local done_line
    done_line=$(grep -m1 -E '^Done [0-9]+ runs in [0-9]+ second' "$3")
    if [ "$2" -eq 0 ] && [ -n "$done_line" ]; then
        ok "$1 ($(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1 runs in \2 s/'), $(ls "$4" | wc -l) inputs in the corpus)"
    else
        fail "$1: exit status $2"
        grep -E 'property failed|status [0-9-]+, stderr|ERROR: |runtime error:|^SUMMARY:|Test unit written|^Base64:' "$3" |
            head -n 12 | sed 's/^/#   /'
    fi
}

# built SENTENCE COMMAND...: run a build command; on failure, a failed
# case with its errors, and status 1.
built() {
    local what=$1
    shift
    "$@" >"$log" 2>&1 && return 0
    fail "$what: the build failed"
    grep -E 'error|warning' "$log" | head -n 15 | sed 's/^/#   /'
    return 1
}

command -v clang >/dev/null 2>&1 || skip_all "clang is not installed"
# libFuzzer's runtime comes with clang on Debian (libclang-rt-*-dev);
# without it even an empty target does not link.
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
    >"$tmp/probe.c"
clang "${FLAGS[@]}" "$tmp/probe.c" -o "$tmp/probe" >"$log" 2>&1 ||
    skip_all "clang cannot link a libFuzzer target (no libFuzzer runtime: $(grep -m1 -E 'cannot find|not found|error' "$log" | cut -c1-120))"
mkdir -p "$dir"

corpus=$tmp/netstack-corpus
mkdir -p "$corpus"
if built "$netstack" clang "${WARN[@]}" -O1 tests/fuzz/seeds.c \
    examples/lib/netstack.c -o "$dir/seeds" &&
    built "$netstack" clang "${WARN[@]}" "${FLAGS[@]}" tests/fuzz/fuzz_netstack.c \
        examples/lib/netstack.c -o "$dir/fuzz_netstack"; then
    if ! "$dir/seeds" "$corpus" >"$log" 2>&1; then
        fail "$netstack: the seed generator failed: $(lastlines "$log")"
    else
        secs=${FUZZ_SECONDS:-30}
        timeout -k 10 $((secs + 120)) "$dir/fuzz_netstack" \
            -runs="${FUZZ_RUNS:-1000000}" -max_total_time="$secs" \
            -max_len=4096 -timeout=20 -artifact_prefix="$dir/" "$corpus" \
            >"$tmp/netstack.out" 2>&1
        verdict "$netstack" $? "$tmp/netstack.out" "$corpus"
    fi
fi

corpus=$tmp/manifest-corpus
mkdir -p "$corpus"
cp tests/fuzz/manifest-seeds/*.json tests/tender/*.json "$corpus"/
if built "$manifest" clang "${WARN[@]}" "${FLAGS[@]}" tests/fuzz/fuzz_manifest.c \
    -o "$dir/fuzz_manifest"; then
    secs=${FUZZ_MANIFEST_SECONDS:-20}
    # The target writes files of its own: into our folder.
    TMPDIR=$tmp timeout -k 10 $((secs + 120)) "$dir/fuzz_manifest" \
        -runs="${FUZZ_MANIFEST_RUNS:-300000}" -max_total_time="$secs" \
        -max_len=8192 -timeout=10 -dict=tests/fuzz/manifest.dict \
        -artifact_prefix="$dir/fuzz_manifest-" "$corpus" \
        >"$tmp/manifest.out" 2>&1
    verdict "$manifest" $? "$tmp/manifest.out" "$corpus"
fi

corpus=$tmp/dns-corpus
mkdir -p "$corpus"
if built "$dns" clang "${WARN[@]}" "${FLAGS[@]}" -Isrc tests/fuzz/fuzz_dns.c \
    src/tcpip/dns_msg.c -o "$dir/fuzz_dns"; then
    if ! "$dir/fuzz_dns" --seeds "$corpus" >"$log" 2>&1; then
        fail "$dns: the seeds could not be written: $(lastlines "$log")"
    else
        secs=${FUZZ_DNS_SECONDS:-15}
        timeout -k 10 $((secs + 120)) "$dir/fuzz_dns" \
            -runs="${FUZZ_DNS_RUNS:-2000000}" -max_total_time="$secs" \
            -max_len=1600 -timeout=10 -dict=tests/fuzz/dns.dict \
            -artifact_prefix="$dir/fuzz_dns-" "$corpus" >"$tmp/dns.out" 2>&1
        verdict "$dns" $? "$tmp/dns.out" "$corpus"
    fi
fi
