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
# shellcheck source=scripts/lib/fuzz.sh
. scripts/lib/fuzz.sh
dir=build/fuzz
log=$tmp/log
FLAGS=("${FUZZ_SAN[@]}" -fsanitize=fuzzer,address,undefined)
netstack="answer_frame, arp_reply_parse, echo_reply_parse and ipv4_parse keep their properties on any bytes"
manifest="miou-manifest exits 0 with well-formed C or 1 with one line and no output, on any bytes"
dns="the DNS answer parser (dns_msg.c) drops or takes any bytes within bounds, and builds queries that parse back"

# built SENTENCE COMMAND...: run a build command; on failure, a failed
# case with its errors, and status 1.
built() {
    local what=$1
    shift
    "$@" >"$log" 2>&1 && return 0
    fail "$what: the build failed"
    fuzz_errors "$log"
    return 1
}

why=$(fuzz_why_not)
if [ -n "$why" ]; then
    skip "$netstack" "$why"
    skip "$manifest" "$why"
    skip "$dns" "$why"
    exit 0
fi
mkdir -p "$dir"

corpus=$tmp/netstack-corpus
mkdir -p "$corpus"
if built "$netstack" clang "${FUZZ_WARN[@]}" -O1 tests/fuzz/seeds.c \
    examples/lib/netstack.c -o "$dir/seeds" &&
    built "$netstack" clang "${FUZZ_WARN[@]}" "${FLAGS[@]}" tests/fuzz/fuzz_netstack.c \
        examples/lib/netstack.c -o "$dir/fuzz_netstack"; then
    if ! "$dir/seeds" "$corpus" >"$log" 2>&1; then
        fail "$netstack: the seed generator failed: $(lastlines "$log")"
    else
        fuzz_run "$netstack" "${FUZZ_SECONDS:-30}" "$tmp/netstack.out" \
            "$corpus" "$dir/fuzz_netstack" -runs="${FUZZ_RUNS:-1000000}" \
            -max_len=4096 -timeout=20 -artifact_prefix="$dir/"
    fi
fi

corpus=$tmp/manifest-corpus
mkdir -p "$corpus"
cp tests/fuzz/manifest-seeds/*.json tests/tender/*.json "$corpus"/
if built "$manifest" clang "${FUZZ_WARN[@]}" "${FLAGS[@]}" tests/fuzz/fuzz_manifest.c \
    -o "$dir/fuzz_manifest"; then
    # The target writes files of its own: into our folder.
    TMPDIR=$tmp fuzz_run "$manifest" "${FUZZ_MANIFEST_SECONDS:-20}" \
        "$tmp/manifest.out" "$corpus" "$dir/fuzz_manifest" \
        -runs="${FUZZ_MANIFEST_RUNS:-300000}" -max_len=8192 -timeout=10 \
        -dict=tests/fuzz/manifest.dict -artifact_prefix="$dir/fuzz_manifest-"
fi

corpus=$tmp/dns-corpus
mkdir -p "$corpus"
if built "$dns" clang "${FUZZ_WARN[@]}" "${FLAGS[@]}" -Isrc tests/fuzz/fuzz_dns.c \
    src/tcpip/dns_msg.c -o "$dir/fuzz_dns"; then
    if ! "$dir/fuzz_dns" --seeds "$corpus" >"$log" 2>&1; then
        fail "$dns: the seeds could not be written: $(lastlines "$log")"
    else
        fuzz_run "$dns" "${FUZZ_DNS_SECONDS:-15}" "$tmp/dns.out" "$corpus" \
            "$dir/fuzz_dns" -runs="${FUZZ_DNS_RUNS:-2000000}" -max_len=1600 \
            -timeout=10 -dict=tests/fuzz/dns.dict \
            -artifact_prefix="$dir/fuzz_dns-"
    fi
fi
