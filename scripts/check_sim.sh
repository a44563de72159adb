#!/usr/bin/env bash
# The sim platform as a user meets it (build/sim/, make PLATFORM=sim):
# the examples in virtual time, against the examples' peers and on
# in-memory disks; the same seed giving the same digest, run after run
# and through $MIOU_SIM_SEED; a failing run printing the command that
# replays it, and that command replaying it; the property runner
# catching a deliberately broken invariant, and its seed replaying the
# failure; bad options refused with one line. No privileges needed.
# Prints one test line per case.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
# shellcheck source=scripts/lib/sim.sh
. scripts/lib/sim.sh
check_begin sim
build=${BUILD:-build/sim}
ex=$build/examples

need_built "$ex/hello" "$ex/sleep" "$ex/ping" "$ex/pinger" "$ex/block" \
    "$ex/demo" "$build/tests/test_time" "$build/tests/sim/prop_broken"



# ---- The examples print what they print on hosted.
sim_run hello 30 "$ex/hello"
if [ $rc -eq 0 ] && [ "$(cat "$tmp/hello.out")" = "Hello World" ] &&
    grep -q '^sim: seed 1, [0-9]* events, virtual time 0\.000000000 s, digest [0-9a-f]\{16\}$' "$tmp/hello.err"; then
    ok "hello prints Hello World, and the report (seed 1 by default) goes to standard error"
else
    fail "hello: status $rc, output '$(show "$tmp/hello.out")', errors '$(show "$tmp/hello.err")'"
fi

# An hour of sleep twice is two hours of virtual time, at once.
start_ns=$(date +%s%N)
sim_run sleep 60 "$ex/sleep" -- 3600
ms=$((($(date +%s%N) - start_ns) / 1000000))
if [ $rc -eq 0 ] && printf 'Hello\nWorld\n' | cmp -s - "$tmp/sleep.out" &&
    grep -q 'virtual time 7200\.000000000 s' "$tmp/sleep.err" && [ $ms -lt 10000 ]; then
    ok "sleep -- 3600 sleeps two virtual hours in $ms ms of real time"
else
    fail "sleep -- 3600: status $rc after $ms ms, '$(show "$tmp/sleep.out")', '$(show "$tmp/sleep.err")'"
fi

# ---- Same seed, same digest; another seed, another run.
sim_run t1 120 "$build/tests/test_time" --seed=42
d1=$(digest_of "$tmp/t1.err")
sim_run t2 120 "$build/tests/test_time" --seed=42
d2=$(digest_of "$tmp/t2.err")
sim_run t3 120 env MIOU_SIM_SEED=42 "$build/tests/test_time"
d3=$(digest_of "$tmp/t3.err")
if [ -n "$d1" ] && [ "$d1" = "$d2" ] && [ "$d1" = "$d3" ] && [ $rc -eq 0 ]; then
    ok "test_time with seed 42 gives digest $d1 on every run, from --seed or \$MIOU_SIM_SEED"
else
    fail "test_time with seed 42: digests '$d1', '$d2', '$d3' (status $rc)"
fi
distinct=$(for s in 1 2 3 4; do
    timeout -k 5 120 "$build/tests/test_time" --seed=$s 2>&1 >/dev/null | digest_of /dev/stdin
done | sort -u | wc -l)
if [ "$distinct" -ge 2 ]; then
    ok "test_time under 4 seeds runs $distinct different traces"
else
    fail "test_time under 4 seeds: only $distinct different digest(s)"
fi

# ---- ping against the pinger peer, also over a faulty link.
sim_run ping 60 "$ex/ping" --net:service=pinger:20 -- --count=20
if [ $rc -eq 0 ] && grep -q 'virtual time' "$tmp/ping.err"; then
    ok "ping answers the 20 pings of the pinger peer"
else
    fail "ping with the pinger peer: status $rc, '$(lastlines "$tmp/ping.out")' '$(lastlines "$tmp/ping.err")'"
fi
faults='delay=1ms..5ms,loss=5%,dup=5%,reorder=10%'
# (--seconds, not --count: a lost reply makes the peer ask again, so
# the unikernel answers more than 20 requests.)
sim_run pingf1 60 "$ex/ping" --seed=7 --net:service=pinger:20 \
    --net-faults:service=$faults -- --seconds=2
sim_run pingf2 60 "$ex/ping" --seed=7 --net:service=pinger:20 \
    --net-faults:service=$faults -- --seconds=2
d1=$(digest_of "$tmp/pingf1.err")
d2=$(digest_of "$tmp/pingf2.err")
if [ $rc -eq 0 ] && [ -n "$d1" ] && [ "$d1" = "$d2" ]; then
    ok "ping over a link with delay, loss, duplication and reordering: all 20 answered, the same digest $d1 twice"
else
    fail "ping over a faulty link: status $rc, digests '$d1' '$d2', '$(lastlines "$tmp/pingf2.err")'"
fi

# pinger (the example that pings) against the responder peer.
sim_run pinger 60 "$ex/pinger" --net:service=responder -- --count=5
if [ $rc -eq 0 ]; then
    ok "pinger gets its replies from the responder peer"
else
    fail "pinger with the responder peer: status $rc, '$(lastlines "$tmp/pinger.out")' '$(lastlines "$tmp/pinger.err")'"
fi

# ---- Disks in memory: a size, or a file's bytes (the file is only read).
sim_run block 60 "$ex/block" --block:storage=64K
if [ $rc -eq 0 ]; then
    ok "block on a 64 KiB in-memory disk"
else
    fail "block on an in-memory disk: status $rc, '$(lastlines "$tmp/block.out")' '$(lastlines "$tmp/block.err")'"
fi
head -c 65536 /dev/urandom >"$tmp/disk.img"
cp "$tmp/disk.img" "$tmp/disk.orig"
sim_run blockf 60 "$ex/block" --block:storage="$tmp/disk.img" \
    --block-sector-size:storage=4096
if [ $rc -eq 0 ] && cmp -s "$tmp/disk.img" "$tmp/disk.orig"; then
    ok "block on a disk loaded from a file with 4096-byte sectors; the file is left as it was"
else
    fail "block on a disk from a file: status $rc, '$(lastlines "$tmp/blockf.err")'"
fi

sim_run demo 120 "$ex/demo" --net:service=pinger:20 --block:storage=1M \
    -- --seconds=2
if [ $rc -eq 0 ] && grep -q 'virtual time 2\.' "$tmp/demo.err"; then
    ok "demo answers the pinger while its sleepers and disk worker run, for 2 virtual seconds"
else
    fail "demo under sim: status $rc, '$(lastlines "$tmp/demo.out" 5)' '$(lastlines "$tmp/demo.err")'"
fi

# ---- A failing run prints its replay command, which replays it.
# ping waits for frames the silent peer never sends: nothing can happen.
sim_run stuck 60 "$ex/ping" --seed=5 --net:service=silent -- --count=1
cmd=$(replay_of "$tmp/stuck.err")
if [ $rc -eq 2 ] && grep -q '^sim: the run failed (status 2: stuck' "$tmp/stuck.err" &&
    [ -n "$cmd" ]; then
    ok "a unikernel waiting for ever on a silent peer stops as stuck, with a replay command"
else
    fail "stuck run: status $rc, '$(show "$tmp/stuck.err")'"
fi
if [ -n "$cmd" ]; then
    eval "timeout -k 5 60 $cmd" >"$tmp/replay.out" 2>"$tmp/replay.err"
    if [ "$(digest_of "$tmp/replay.err")" = "$(digest_of "$tmp/stuck.err")" ] &&
        [ "$(replay_of "$tmp/replay.err")" = "$cmd" ]; then
        ok "its replay command ($cmd) fails the same way, with the same digest"
    else
        fail "replay of '$cmd': '$(show "$tmp/replay.err")'"
    fi
fi

# A crash point on the disk: the example's writes fail from there on.
sim_run crash 60 "$ex/block" --block:storage=64K --block-faults:storage=crash=1
if [ $rc -ne 0 ] && [ -n "$(replay_of "$tmp/crash.err")" ]; then
    ok "block with the disk losing power at its first write fails (status $rc) and prints how to replay it"
else
    fail "block with crash=1: status $rc, '$(lastlines "$tmp/crash.out")' '$(lastlines "$tmp/crash.err")'"
fi

# ---- The property runner catches a broken invariant; its seed replays it.
prop=$build/tests/sim/prop_broken
# (from seed 4: seeds pass before one fails, so the failing seed's run
# follows others in the same process, and its replay runs alone)
sim_run broken 300 "$prop" -- --seeds=1000 --first=4 --program="$prop"
line=$(grep -m1 '^not ok - ' "$tmp/broken.out")
cmd=$(sed -n 's/^# replay: //p' "$tmp/broken.out" | head -n 1)
if [ $rc -ne 0 ] && [ -n "$line" ] && [ -n "$cmd" ]; then
    ok "the runner catches the broken property: ${line#not ok - }"
else
    fail "the runner over prop_broken: status $rc, '$(lastlines "$tmp/broken.out" 5)'"
fi
# The failing seed's digest within the run of many seeds.
d0=$(sed -n 's/^# seed .* digest \(0x[0-9a-f]*\).*/\1/p' "$tmp/broken.out" | head -n 1)
if [ -n "$cmd" ] && [ "$(replay_of "$tmp/broken.err")" = "$cmd" ]; then
    ok "the platform's own replay line names the failing seed's command, as the runner's does"
else
    fail "the platform's replay line '$(replay_of "$tmp/broken.err")' against the runner's '$cmd'"
fi
if [ -n "$cmd" ]; then
    eval "timeout -k 5 60 $cmd" >"$tmp/r1.out" 2>"$tmp/r1.err"
    r1=$?
    eval "timeout -k 5 60 $cmd" >"$tmp/r2.out" 2>"$tmp/r2.err"
    d1=$(sed -n 's/^# seed .* digest \(0x[0-9a-f]*\).*/\1/p' "$tmp/r1.out")
    d2=$(sed -n 's/^# seed .* digest \(0x[0-9a-f]*\).*/\1/p' "$tmp/r2.out")
    if [ $r1 -ne 0 ] && grep -qF "${line#not ok - }" "$tmp/r1.out" &&
        [ -n "$d1" ] && [ "$d1" = "$d2" ] && [ "$d1" = "$d0" ]; then
        ok "its replay command fails with the same message and the digest the failing seed had, $d1, twice"
    else
        fail "replay '$cmd': status $r1, digests '$d0' (in the run) '$d1' '$d2', '$(lastlines "$tmp/r1.out" 4)'"
    fi
fi

# ---- Bad options: one line, exit status 1, nothing run.
bad_case "an unknown peer" "unknown peer 'nobody'" "$ex/ping" --net:service=nobody
bad_case "an unknown device name" "declares no net device named 'eth9'" "$ex/ping" --net:eth9=pinger
bad_case "a net device not attached" "device 'service' of the manifest is not attached" "$ex/ping"
bad_case "a missing disk image" "Could not open block device '$tmp/absent.img'" "$ex/block" --block:storage="$tmp/absent.img"
bad_case "a disk size that is not a multiple of the sector" "Backing storage size must be block aligned (512 bytes): 1000 bytes" "$ex/block" --block:storage=1000
bad_case "a seed that is not a number" "the seed is a number" "$ex/hello" --seed=abc
bad_case "a fault with an unknown key" "unknown key or bad value" "$ex/ping" --net:service=pinger --net-faults:service=jitter=1ms
bad_case "a probability above 1" "unknown key or bad value" "$ex/ping" --net:service=pinger --net-faults:service=loss=150%
bad_case "a delay range upside down" "unknown key or bad value" "$ex/ping" --net:service=pinger --net-faults:service=delay=5ms..1ms
bad_case "a sector size that is not a power of two" "power of two" "$ex/block" --block:storage=64K --block-sector-size:storage=1000
# Exactly one line (refused, from scripts/lib/check.sh): a repeated
# option, a --solo5: word the platform does not know, and arguments
# holding control characters, which the messages escape.
refused "refused: --mem given twice" \
    "^hello: heap size given twice \\('--mem=16' and '--mem=32'\\)$" "$ex/hello" --mem=16 --mem=32
refused "refused: a net device attached twice" \
    "^ping: device 'service': attached twice \\('--net:service=silent' and '--net:service=pinger'\\)$" \
    "$ex/ping" --net:service=silent --net:service=pinger -- --count=1
refused "refused: an unknown --solo5: word" \
    "^hello: unknown option '--solo5:loud' \\(--solo5:quiet, :error, :warn, :info or :debug\\)$" \
    "$ex/hello" -- --solo5:quiet --solo5:loud
refused "refused: an unknown --solo5: word before --" \
    "^hello: unknown option '--solo5:bogus' \\(--solo5:quiet, :error, :warn, :info or :debug\\)$" \
    "$ex/hello" --seed=3 --solo5:bogus
refused "refused: a device name holding a newline, on one line" \
    "^ping: '--net:a\\\\nb=pinger': the manifest declares no net device named 'a\\\\nb'$" \
    "$ex/ping" $'--net:a\nb=pinger'
refused "refused: a fault specification holding a newline, on one line" \
    "^ping: fault 'loss=1\\\\n0%': unknown key or bad value$" \
    "$ex/ping" --net:service=pinger $'--net-faults:service=loss=1\n0%'
refused "refused: a disk image whose path holds a newline, on one line" \
    "^block: device 'storage': Could not open block device '$tmp/new\\\\nline.img': " \
    "$ex/block" "--block:storage=$tmp/new"$'\n'"line.img"
sim_run bad 30 env MIOU_SIM_SEED=12x "$ex/hello"
if [ $rc -eq 1 ] && grep -q "MIOU_SIM_SEED='12x' is not a number" "$tmp/bad.err"; then
    ok "refused: \$MIOU_SIM_SEED that is not a number"
else
    fail "refused: \$MIOU_SIM_SEED=12x: status $rc, '$(show "$tmp/bad.err")'"
fi

# ---- Installed as a user would use it: make install, then pkg-config.
prefix=$tmp/prefix
if ! make -s PLATFORM=sim install PREFIX="$prefix" >"$tmp/install.log" 2>&1; then
    fail "make PLATFORM=sim install: '$(lastlines "$tmp/install.log")'"
elif ! command -v pkg-config >/dev/null 2>&1; then
    skip "a program built against the installed sim platform" "pkg-config is not installed"
else
    # shellcheck disable=SC2046 # pkg-config prints words
    if cc -std=c11 -o "$tmp/sleep" examples/sleep.c \
        $(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs miou-sim) \
        >"$tmp/cc.log" 2>&1 &&
        [ "$("$tmp/sleep" -- 60 2>&1 | tail -n 1 | sed 's/, digest.*//')" = \
            "sim: seed 1, 15 events, virtual time 120.000000000 s" ]; then
        ok "examples/sleep.c built with pkg-config miou-sim from the installed files sleeps two virtual minutes"
    else
        fail "a program against the installed sim platform: '$(lastlines "$tmp/cc.log")'"
    fi
fi
