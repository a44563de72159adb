#!/usr/bin/env bash
# The hosted tender's unprivileged net backend (--net:NAME=unix:LOCAL,
# PEER: datagram sockets in a temporary folder, no traffic outside the
# machine), with two hosted unikernels cabled together: the pinger example
# pings the ping example, then the demo (ping answers, sleeping tasks and
# scheduled block I/O at once), whose disk image is then checked on the
# host against what the demo says it wrote. Then what the backend must
# refuse at start-up. No privileges needed. Prints one test line per case.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
check_begin net-unix
build=${BUILD:-build/hosted}
ping=$build/examples/ping
pinger=$build/examples/pinger
demo=$build/examples/demo
d=$tmp/sock
mkdir "$d"

need_built "$ping" "$pinger" "$demo"

# run_pinger NAME COUNT INTERVAL: ping 10.0.0.2 through $d/a from $d/b;
# 0 when every request was answered, as its exit status and its summary
# say.
run_pinger() {
    local name=$1 count=$2 interval=$3 rc
    timeout -k 5 60 "$pinger" --net:service="unix:$d/b,$d/a" -- 10.0.0.2 \
        --count="$count" --interval="$interval" >"$tmp/$name.out" 2>&1
    rc=$?
    [ $rc -eq 0 ] &&
        grep -qx "$count packets transmitted, $count received, 0% packet loss" "$tmp/$name.out"
}

# ---- ping and pinger.
if start ping 'ping: answering for' \
    "$ping" --net:service="unix:$d/a,$d/b" -- 10.0.0.2 --count=100 --seconds=60; then
    if run_pinger pinger 100 0; then
        ok "pinger sends 100 echo requests to ping and gets 100 replies"
    else
        fail "pinger sends 100 echo requests to ping and gets 100 replies: $(lastlines "$tmp/pinger.out" 4)"
    fi
    stop
    n=$(sed -n 's/^ping: answered \([0-9]*\) echo requests.*/\1/p' "$tmp/ping.out")
    if [ $status -eq 0 ] && [ "$n" = 100 ]; then
        ok "ping counts the 100 echo requests and exits 0 at --count=100"
    else
        fail "ping counts the 100 echo requests and exits 0 at --count=100: exit status $status, counted '$n': $(lastlines "$tmp/ping.out")"
    fi
    if [ -e "$d/a" ] || [ -e "$d/b" ]; then
        fail "the socket files are removed when the programs end: $(ls "$d" | tr '\n' ' ')"
    else
        ok "the socket files are removed when the programs end"
    fi
fi

# ---- The demo, pinged, with scheduled block I/O on an image of random
# bytes; then the image is checked block by block.

# What examples/demo.c's fill() writes in block INDEX on pass PASS: its
# 64-bit words (xorshift64 from a seed), as 16 hexadecimal digits each,
# one a line. Keep in step with fill() there.
demo_fill() { # demo_fill INDEX PASS BYTES
    local s=$(((($1 + 1) * 0x9e3779b97f4a7c15) ^ ($2 + 1))) i
    for ((i = 0; i < $3; i += 8)); do
        s=$((s ^ (s << 13)))
        s=$((s ^ ((s >> 7) & 0x01ffffffffffffff))) # a logical shift
        s=$((s ^ (s << 17)))
        printf '%016x\n' "$s"
    done
}
# Block INDEX of image FILE in blocks of BYTES, in the same form.
image_words() { # image_words FILE INDEX BYTES
    od --endian=little -An -v -tx8 -j $(($2 * $3)) -N "$3" "$1" |
        tr -s ' ' '\n' | sed '/^$/d'
}

# check_demo_image IMAGE ORIGINAL BLOCKS BYTES WRITTEN: whether every
# block of IMAGE holds what the demo's disk worker wrote there last, when
# it counted WRITTEN blocks written: it writes chunks of up to 4 blocks
# from block 0 to the end, then again with new data (a new pass). The
# chunk in flight when the demo stopped may hold either pass's data (a
# cancelled write leaves the blocks it moved). Blocks never written must
# be ORIGINAL's. Prints the first bad block.
check_demo_image() {
    local img=$1 orig=$2 blocks=$3 bs=$4 written=$5 i pass alt
    local per_chunk=4 first n
    [ $((65536 / bs)) -lt $per_chunk ] && per_chunk=$((65536 / bs))
    first=$((written % blocks))
    n=$((blocks - first < per_chunk ? blocks - first : per_chunk))
    for ((i = 0; i < blocks; i++)); do
        image_words "$img" $i "$bs" >"$tmp/got"
        if [ "$written" -gt $i ]; then
            pass=$(((written - 1 - i) / blocks))
            demo_fill $i $pass "$bs" >"$tmp/want"
        else
            pass=original
            image_words "$orig" $i "$bs" >"$tmp/want"
        fi
        cmp -s "$tmp/got" "$tmp/want" && continue
        if [ $i -ge $first ] && [ $i -lt $((first + n)) ]; then
            alt=$((written / blocks))
            demo_fill $i $alt "$bs" >"$tmp/want"
            cmp -s "$tmp/got" "$tmp/want" && continue
            echo "block $i holds neither pass $pass's data nor pass $alt's"
        else
            echo "block $i does not hold pass $pass's data"
        fi
        return 1
    done
    return 0
}

blocks=64
img=$tmp/demo.img
dd if=/dev/urandom of="$img" bs=512 count=$blocks status=none
cp "$img" "$img.orig"
if start demo '^demo: answering ping for' \
    "$demo" --net:service="unix:$d/a,$d/b" --block:storage="$img" \
    -- 10.0.0.2 --count=200 --seconds=60; then
    if run_pinger demo-pinger 200 5; then
        ok "pinger gets 200 replies from the demo"
    else
        fail "pinger gets 200 replies from the demo: $(lastlines "$tmp/demo-pinger.out" 4)"
    fi
    stop
    out=$tmp/demo.out
    echoes=$(sed -n 's/^demo: net: answered \([0-9]*\) echo requests.*/\1/p' "$out")
    disk=$(sed -n 's/^demo: disk: \([0-9]*\) blocks of \([0-9]*\) bytes written, \([0-9]*\) read, \([0-9]*\) verified, \([0-9]*\) differed$/\1 \2 \3 \4 \5/p' "$out")
    read -r written bs nread verified differed <<<"$disk"
    if [ $status -eq 0 ] && grep -qx 'demo: ok' "$out" && [ "$echoes" = 200 ] &&
        grep -q "^demo: answering ping .* disk of $blocks blocks of 512 bytes" "$out" &&
        [ -n "$disk" ] && [ "$bs" = 512 ] && [ "$written" -gt $blocks ] &&
        [ "$verified" = "$nread" ] && [ "$differed" = 0 ] &&
        grep -qE '^demo: sleepers: 100 tasks woke up [1-9][0-9]* times' "$out"; then
        ok "the demo answers 200 echo requests while its sleepers wake and its disk worker writes, reads back and verifies $written blocks"
    else
        fail "the demo answers 200 echo requests while its sleepers wake and its disk worker writes, reads back and verifies blocks: exit status $status: $(grep -E '^demo: (net|disk|sleepers|ok|stopped)' "$out" | tr '\n' '|')"
    fi
    if [ -n "$disk" ] && why=$(check_demo_image "$img" "$img.orig" $blocks 512 "$written"); then
        ok "the image holds, block by block, what the demo says it wrote ($written blocks, $((written / blocks)) passes)"
    else
        fail "the image holds, block by block, what the demo says it wrote: ${why:-no disk line}"
    fi
fi

# ---- Start-up errors (refused, in scripts/lib/check.sh): exit status 1,
# one line on standard error naming the device, nothing on standard
# output. No runner: each case names its program.

refused "a net device the manifest does not declare is refused" \
    "^ping: device 'nosuch': not declared in the unikernel's manifest" \
    "$ping" --net:service="unix:$d/a,$d/b" --net:nosuch="unix:$d/x,$d/y"
refused "a block device given as a net device is refused" \
    "^demo: device 'storage': declared as BLOCK_BASIC" \
    "$demo" --net:service="unix:$d/a,$d/b" --net:storage="unix:$d/x,$d/y"
refused "a missing --net is refused, naming the option" \
    "^ping: device 'service': declared as NET_BASIC but not attached \(--net:service=IFACE\)" \
    "$ping"
refused "unix: without a peer is refused" \
    "^ping: device 'service': invalid unix backend 'unix:$d/a' \(unix:LOCAL,PEER\)" \
    "$ping" --net:service="unix:$d/a"
long=$d/$(printf 'x%.0s' $(seq 120))
refused "a LOCAL path longer than a socket address holds is refused" \
    "^ping: device 'service': socket path too long" \
    "$ping" --net:service="unix:$long,$d/b"
refused "a PEER path longer than a socket address holds is refused" \
    "^ping: device 'service': socket path too long" \
    "$ping" --net:service="unix:$d/a,$long"
: >"$d/file"
refused "a LOCAL path holding a file that is not a socket is refused" \
    "^ping: device 'service': '$d/file' exists and is not a socket" \
    "$ping" --net:service="unix:$d/file,$d/b"
if [ -f "$d/file" ] && [ ! -s "$d/file" ]; then
    ok "the file at LOCAL is left as it was"
else
    fail "the file at LOCAL is left as it was"
fi
rm -f "$d/file"
if [ -n "$(ls -A "$d")" ]; then
    fail "programs refused at start-up leave no socket file: $(ls -A "$d" | tr '\n' ' ')"
else
    ok "programs refused at start-up leave no socket file"
fi

# A LOCAL path that a running program has bound: refused, and the
# running program keeps its socket and still answers.
if start holder 'ping: answering for' \
    "$ping" --net:service="unix:$d/a,$d/b" -- 10.0.0.2 --count=3 --seconds=60; then
    refused "a LOCAL path in use by a running program is refused" \
        "^ping: device 'service': socket '$d/a' is in use by another program" \
        "$ping" --net:service="unix:$d/a,$d/c"
    if run_pinger holder-pinger 3 0; then
        ok "the program that has the socket still answers after the refusal"
    else
        fail "the program that has the socket still answers after the refusal: $(lastlines "$tmp/holder-pinger.out" 4)"
    fi
    stop
    [ $status -eq 0 ] || fail "the holder ends after 3 echo requests: exit status $status: $(lastlines "$tmp/holder.out")"
fi

# The socket file of a program that was killed (-KILL: it had no chance
# to remove it) is taken over by the next program. (Not under timeout(1),
# so that $pid is the program's own; --seconds bounds it.)
bound=()
start killed 'ping: answering for' \
    "$ping" --net:service="unix:$d/a,$d/b" -- 10.0.0.2 --seconds=60
killed=$?
bound=(timeout -k 5 120)
if [ $killed -eq 0 ]; then
    stop 0 KILL # (without the shell's "Killed" notice in the output)
    if [ ! -S "$d/a" ]; then
        fail "a stale socket file of a killed program is taken over: the killed program left no socket file to test with"
    elif start successor 'ping: answering for' \
        "$ping" --net:service="unix:$d/a,$d/b" -- 10.0.0.2 --count=3 --seconds=60; then
        run_pinger successor-pinger 3 0
        rc=$?
        stop
        if [ $rc -eq 0 ] && [ $status -eq 0 ]; then
            ok "a stale socket file of a killed program is taken over"
        else
            fail "a stale socket file of a killed program is taken over: pinger: $(lastlines "$tmp/successor-pinger.out" 2) ping: exit status $status"
        fi
    fi
fi

# ---- Bad arguments of the examples: one line on the console naming the
# word and what is accepted, exit status 2, nothing started.
bad_args "ping with an option it does not have, naming it" \
    "^ping: bad argument '--reader=2': unknown option" \
    "$ping" --net:service="unix:$d/a,$d/b" -- --reader=2
bad_args "ping with 17 readers, naming the range" \
    "^ping: bad argument '--readers=17': --readers is a whole number from 1 to 16$" \
    "$ping" --net:service="unix:$d/a,$d/b" -- --readers=17
bad_args "pinger with a timeout of 0, naming the range" \
    "^pinger: bad argument '--timeout=0': --timeout is a number with up to 6 decimals, above 0 and up to 3600000$" \
    "$pinger" --net:service="unix:$d/a,$d/b" -- --timeout=0
bad_args "demo with a second address, naming it" \
    "^demo: bad argument '10.0.0.3': one word too many" \
    "$demo" --net:service="unix:$d/a,$d/b" --block:storage="$img" -- 10.0.0.2 10.0.0.3

# Nothing of ours is left running, nor any socket file.
sleep 0.2
left=$(pgrep -f -- "$d/" 2>/dev/null | tr '\n' ' ')
if [ -n "$left" ]; then
    fail "no program is left running: pids $left"
elif [ -n "$(find "$d" -type s)" ]; then
    fail "no socket file is left: $(find "$d" -type s | tr '\n' ' ')"
else
    ok "no program is left running, nor any socket file"
fi
exit 0
