#!/usr/bin/env bash
# make sim-test SEEDS=N [FIRST=S]: the property programs of the sim
# platform (tests/sim/prop_*.c, built into build/sim/tests/sim/) over N
# seeds per property from seed S (default 1), for runs longer than the
# 1,000 seeds of make test. A failing property prints its seed and the
# command that replays it. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
seeds=${1:-10000}
first=${2:-1}
passed=0
failed=0
for prop in build/sim/tests/sim/prop_*; do
    name=$(basename "$prop")
    case $name in
    prop_broken) continue ;; # broken on purpose (scripts/check_sim.sh)
    prop_devices) args=(--net:link=silent --block:disk=1M) ;;
    *) args=() ;;
    esac
    echo "# $name: $seeds seeds per property from seed $first"
    out=$(mktemp)
    "$prop" "${args[@]}" -- --seeds="$seeds" --first="$first" \
        --program="$prop" >"$out" 2>&1
    rc=$?
    grep -E '^(ok|not ok) - |^# (replay|seed)' "$out"
    p=$(grep -c '^ok - ' "$out")
    f=$(grep -c '^not ok - ' "$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - $name: exit status $rc"
        tail -n 5 "$out" | sed 's/^/#   /'
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    rm -f "$out"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
