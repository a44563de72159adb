#!/usr/bin/env bash
# bench/stacks.sh - how deep each example's tasks go: every example run
# under the sim platform (build/sim/, no privileges, the same run for a
# seed) with --measure-stacks against the peers of its links, and the
# deepest stack use of each task name beside the stack it was given.
# What a user reads to pick the smallest safe stack_size for their own
# tasks: the deepest use, plus room for paths a run did not take.
#
#   bench/stacks.sh            (builds build/sim/ when needed)
#
# Output: one line per example and task name, "RESULT stacks
# EXAMPLE/TASK_used BYTES B" lines for the table of bench/run.sh, and a
# closing table.
set -u
cd "$(dirname "$0")/.." || exit 1
make -j2 PLATFORM=sim examples >/dev/null || {
    echo "stacks: make PLATFORM=sim examples failed" >&2
    exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 1048576 /dev/urandom >"$tmp/disk.img"
ex=build/sim/examples

# EXAMPLE WORDS...: the example's run, with the peers that exercise its
# tasks: traffic for the servers, pings for the responders.
runs() {
    cat <<EOF
echo --net:service=echo-client:1M,20 -- --seconds=60
http --block:storage=$tmp/disk.img --net:service=http-client:/file,3,$tmp/disk.img -- --seconds=60
http --block:storage=$tmp/disk.img --net:service=http-client:/,100 -- --seconds=60
echo_client --net:service=responder -- 10.0.0.1 --connections=0 --datagrams=0
ping --net:service=pinger:20 -- --seconds=2
pinger --net:service=responder -- --count=5
demo --net:service=pinger:20 --block:storage=256K -- --seconds=1
block --block:storage=64K
EOF
}

printf '%-12s %-14s %8s %8s\n' example task used stack
runs | while read -r name words; do
    # The option is the unikernel's: after the tender's "--".
    case " $words " in
    *" -- "*) words="$words --measure-stacks" ;;
    *) words="$words -- --measure-stacks" ;;
    esac
    # shellcheck disable=SC2086 # words are words
    "$ex/$name" $words >"$tmp/out" 2>&1
    sed -n "s/^- '\([^']*\)': \([0-9]*\) of \([0-9]*\) bytes.*/\1 \2 \3/p" \
        "$tmp/out" | while read -r task used size; do
        printf '%-12s %-14s %8s %8s\n' "$name" "$task" "$used" "$size"
        echo "RESULT stacks $name/${task}_used $used B" >>"$tmp/results"
    done
done
[ -e "$tmp/results" ] && cat "$tmp/results"
