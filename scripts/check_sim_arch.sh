#!/usr/bin/env bash
# The same seed gives the same digest on another machine: the sim
# programs built for aarch64 (build/sim-aarch64/), run under qemu-user,
# against the x86_64 ones (build/sim/). A program printing addresses, as
# miou_dump() does, would differ: the two architectures' frames differ in
# size, so none of these prints one.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
check_begin sim/aarch64
if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 ||
    ! command -v qemu-aarch64 >/dev/null 2>&1; then
    skip "the same digests on aarch64" "the aarch64 cross compiler or qemu-aarch64 is not installed"
    exit 0
fi
if ! make -j2 PLATFORM=sim ARCH_PREFIX=aarch64-linux-gnu- tests examples >"$tmp/build.log" 2>&1; then
    fail "make PLATFORM=sim ARCH_PREFIX=aarch64-linux-gnu-: $(lastlines "$tmp/build.log")"
    exit 0
fi
need_built build/sim/tests/test_time build/sim/examples/echo
while read -r prog args; do
    # shellcheck disable=SC2086 # args are words
    a=$(timeout 300 "build/sim/$prog" $args 2>&1 >/dev/null | grep '^sim: seed')
    # shellcheck disable=SC2086
    b=$(timeout 300 qemu-aarch64 -L /usr/aarch64-linux-gnu \
        "build/sim-aarch64/$prog" $args 2>&1 >/dev/null | grep '^sim: seed')
    if [ -n "$a" ] && [ "$a" = "$b" ]; then
        ok "$prog $args: the same digest on x86_64 and aarch64 (${a##*digest })"
    else
        fail "$prog $args: x86_64 '$a', aarch64 '$b'"
    fi
done <<'EOF_CASES'
tests/test_time --seed=42
tests/test_sync --seed=9
tests/test_await --seed=5
examples/demo --seed=3 --net:service=pinger:20 --block:storage=256K -- --seconds=1
examples/ping --seed=7 --net:service=pinger:20 --net-faults:service=delay=1ms..5ms,loss=5%,dup=5%,reorder=10% -- --seconds=2
examples/echo --seed=4 --net:service=echo-client:1M,4 --net-faults:service=delay=100us..2ms,loss=1%,dup=1%,reorder=1% -- --seconds=60
EOF_CASES
