#!/usr/bin/env bash
# The examples that print the same on every machine, run as a user runs
# them (build/hosted/examples): exact output, the banner on standard
# error, a sleep that takes its time, and SIGUSR1 listing the tasks.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
check_begin examples
dir=${BUILD:-build/hosted}/examples
need_built "$dir/hello" "$dir/schedule" "$dir/sleep"
out=$tmp/out

got=$(timeout 30 "$dir/hello" --solo5:quiet 2>&1)
if [ "$got" = "Hello World" ]; then
    ok "hello prints Hello World (and nothing else with --solo5:quiet)"
else
    fail "hello prints Hello World: got '$(echo "$got" | head -c 200)'"
fi

timeout 30 "$dir/hello" >"$out" 2>"$out.err"
if [ "$(cat "$out")" = "Hello World" ] &&
    grep -q '^miou-solo5 .*hosted platform, heap 512 MiB' "$out.err" &&
    grep -q 'solo5_app_main() returned 0' "$out.err"; then
    ok "without --solo5:quiet the platform's banner and exit go to standard error"
else
    fail "the platform's banner on standard error: got '$(show "$out.err")'"
fi

timeout 30 "$dir/schedule" --solo5:quiet >"$out" 2>&1
if printf 'Hello\nWorld\n' | cmp -s - "$out"; then
    ok "schedule prints Hello then World"
else
    fail "schedule prints Hello then World: got '$(show "$out" 200)'"
fi

start_ns=$(date +%s%N)
timeout 30 "$dir/sleep" --solo5:quiet >"$out" 2>&1
ms=$((($(date +%s%N) - start_ns) / 1000000))
if ! printf 'Hello\nWorld\n' | cmp -s - "$out"; then
    fail "sleep prints Hello then World: got '$(show "$out" 200)'"
elif [ $ms -lt 2000 ]; then
    fail "sleep takes at least 2 s: took $ms ms"
else
    ok "sleep prints Hello then World and takes at least 2 s ($ms ms)"
fi

# SIGUSR1 makes a hosted unikernel list its tasks, even asleep. (Started
# without timeout(1), whose pid would get the signal; the example ends by
# itself after 2 s.)
bound=()
start sleep-usr1 . "$dir/sleep"
sleep 0.5
kill -USR1 "$pid" 2>/dev/null
stop 10
if grep -q "^- 'main' #1 waiting on sleep (deadline in [0-9]* ms)" "$tmp/sleep-usr1.out" &&
    grep -q '^World$' "$tmp/sleep-usr1.out"; then
    ok "SIGUSR1 lists the sleeping task and the program goes on"
else
    fail "SIGUSR1 lists the sleeping task: got '$(show "$tmp/sleep-usr1.out")'"
fi
