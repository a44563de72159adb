#!/usr/bin/env bash
# The TCP/IP examples under the sim platform (build/sim/, or $BUILD),
# against the TCP clients of tests/sim/peers/sim_tcp_peers.c and the DNS
# server of tests/sim/peers/sim_dns.c over links that lose, duplicate and
# reorder frames: echo moving 10 MiB each way with identical bytes, seed
# after seed, over IPv4 and over IPv6, and replaying from its seed; many
# connections at once; a client that overruns the window; http serving
# its page and its disk's file byte for byte; a client coming back on the
# port pair of connections in the server's TIME-WAIT; names resolved
# over a lossy link, through hostile answers; a unikernel that does not
# answer, or answers wrongly, caught; bad peer arguments refused. No
# privileges, no network. Prints one test line per case.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
# shellcheck source=scripts/lib/sim.sh
. scripts/lib/sim.sh
build=${BUILD:-build/sim}
# The topic names the build when it is not the default (build/sim-san).
check_begin "sim-tcpip$([ "$build" = build/sim ] || echo "[${build#build/}]")"
ex=$build/examples
# The 10 MiB transfers: $SIM_TCPIP_BYTES (a peer size: 10M, 1M, ...).
bytes=${SIM_TCPIP_BYTES:-10M}

need_built "$ex/echo" "$ex/http" "$ex/ping" "$ex/resolve"

faults="--net-faults:service=delay=100us..2ms,loss=1%,dup=1%,reorder=1%"
fault_words="losing, duplicating and reordering 1% of frames, delays 0.1-2 ms"

# The peer's summary line, without its prefix.
peer_of() { sed -n 's/^sim: peer [a-z-]* on service: //p' "$1" | tail -n 1; }
# What lwIP holds when the example stops ("0 connections, 0 pbufs, 0
# heap bytes" when all is well).
holds_of() { sed -n 's/.*; lwIP holds \(.*\)$/\1/p' "$1"; }


# ---- 10 MiB each way through echo, over a faulty link, three seeds.
digests=()
for seed in 1 2 3; do
    sim_run echo$seed 300 "$ex/echo" --seed=$seed --net:service=echo-client:$bytes \
        "$faults" -- --seconds=600
    peer=$(peer_of "$tmp/echo$seed.err")
    d=$(digest_of "$tmp/echo$seed.err")
    digests+=("$d")
    if [ $rc -eq 0 ] && [[ $peer == "1 of 1 connections echoed "*" bytes each way identically"* ]] &&
        [ "$(holds_of "$tmp/echo$seed.out")" = "0 connections, 0 pbufs, 0 heap bytes" ] && [ -n "$d" ]; then
        ok "echo, seed $seed: $bytes each way over a link $fault_words; $peer; lwIP holds nothing at the end"
    else
        fail "echo, seed $seed: status $rc, '$(lastlines "$tmp/echo$seed.err" 4)' '$(show "$tmp/echo$seed.out")'"
    fi
done
if [ -n "${digests[0]}" ] && [ "${digests[0]}" != "${digests[1]}" ] &&
    [ "${digests[1]}" != "${digests[2]}" ] && [ "${digests[0]}" != "${digests[2]}" ]; then
    ok "the three seeds give three different runs (${digests[*]})"
else
    fail "three seeds, digests '${digests[*]}': wanted three different ones"
fi

# --measure-stacks: the connection tasks fit the small stacks the examples
# give them (4 KiB for echo, 8 KiB for http), with a quarter to spare.
# stack_within EXAMPLE TASK STACK FILE: the task's line says it used less
# three quarters of STACK bytes.
stack_within() {
    local used
    used=$(sed -n "s/^- '$2': \([0-9]*\) of $3 bytes.*/\1/p" "$4")
    if [ -n "$used" ] && [ "$used" -lt $(($3 * 3 / 4)) ]; then
        ok "--measure-stacks: $1's '$2' tasks used $used of their $3 bytes of stack"
    else
        fail "--measure-stacks: $1's '$2' tasks: '$(grep -m1 "'$2'" "$4")' (wanted under three quarters of $3 bytes)"
    fi
}
if [ "$build" = build/sim ]; then
    sim_run stacks-echo 300 "$ex/echo" --net:service=echo-client:1M,20 -- --seconds=60 --measure-stacks
    stack_within echo echo-conn 4096 "$tmp/stacks-echo.out"
    sim_run stacks-http 300 "$ex/http" --block:storage=1M --net:service=http-client:/,100 -- --seconds=60 --measure-stacks
    stack_within http http-conn 8192 "$tmp/stacks-http.out"
else
    skip "--measure-stacks: the examples' connection tasks fit their stacks" "instrumented frames ($build) are bigger, and stacks get 32 KiB more"
fi

# The same seed again: the same run, to the digest and the peer's counts.
sim_run again 300 "$ex/echo" --seed=1 --net:service=echo-client:$bytes "$faults" -- --seconds=600
if [ $rc -eq 0 ] && [ -n "${digests[0]}" ] && [ "$(digest_of "$tmp/again.err")" = "${digests[0]}" ] &&
    [ "$(peer_of "$tmp/again.err")" = "$(peer_of "$tmp/echo1.err")" ]; then
    ok "seed 1 again replays the transfer: the same digest ${digests[0]} and the same retransmissions"
else
    fail "seed 1 again: status $rc, digest '$(digest_of "$tmp/again.err")' against '${digests[0]}'"
fi

# ---- The same over IPv6 (the peer at fd00::1, echo at fd00::2).
digests6=()
for seed in 1 2; do
    sim_run echo6_$seed 300 "$ex/echo" --seed=$seed --net:service=echo-client:$bytes,1,7,ipv6 \
        "$faults" -- --ipv6-address=fd00::2 --seconds=600
    peer=$(peer_of "$tmp/echo6_$seed.err")
    digests6+=("$(digest_of "$tmp/echo6_$seed.err")")
    if [ $rc -eq 0 ] && [[ $peer == "1 of 1 connections echoed "*" bytes each way identically"* ]] &&
        [ "$(holds_of "$tmp/echo6_$seed.out")" = "0 connections, 0 pbufs, 0 heap bytes" ]; then
        ok "echo over IPv6, seed $seed: $bytes each way over a link $fault_words; $peer; lwIP holds nothing at the end"
    else
        fail "echo over IPv6, seed $seed: status $rc, '$(lastlines "$tmp/echo6_$seed.err" 4)' '$(show "$tmp/echo6_$seed.out")'"
    fi
done
sim_run again6 300 "$ex/echo" --seed=1 --net:service=echo-client:$bytes,1,7,ipv6 "$faults" -- \
    --ipv6-address=fd00::2 --seconds=600
if [ $rc -eq 0 ] && [ -n "${digests6[0]}" ] && [ "$(digest_of "$tmp/again6.err")" = "${digests6[0]}" ] &&
    [ "${digests6[0]}" != "${digests6[1]}" ]; then
    ok "seed 1 again replays the IPv6 transfer: the same digest ${digests6[0]}"
else
    fail "seed 1 again over IPv6: status $rc, digest '$(digest_of "$tmp/again6.err")' against '${digests6[*]}'"
fi

# ---- Many connections at once.
sim_run many 300 "$ex/echo" --seed=5 --net:service=echo-client:128K,100 "$faults" -- --seconds=600
peer=$(peer_of "$tmp/many.err")
if [ $rc -eq 0 ] && [[ $peer == "100 of 100 connections echoed 131072 bytes each way identically"* ]] &&
    [ "$(holds_of "$tmp/many.out")" = "0 connections, 0 pbufs, 0 heap bytes" ]; then
    ok "echo: 100 connections at once, 128 KiB each way each, over the faulty link; lwIP holds nothing at the end"
else
    fail "echo, 100 connections: status $rc, '$(lastlines "$tmp/many.err" 4)' '$(show "$tmp/many.out")'"
fi

# ---- A client sending past the window. lwIP 2.1.3 then accepts more
# than its window (its receive window wraps below zero) and hands over
# more than 64 KiB at once, which the stack's receive queue must hold
# without counting it in a 16-bit field (src/tcpip/tcp.c): before that was
# fixed, 6 of these 20 seeds (2, 5, 7, 10, 11, 12) ended in a connection
# read as closed.
failed=()
for seed in $(seq 1 20); do
    sim_run over 300 "$ex/echo" --seed=$seed --net:service=echo-client:$bytes,overrun "$faults" -- --seconds=600
    [ $rc -eq 0 ] || failed+=("$seed: $(lastlines "$tmp/over.err" 3)")
done
if [ ${#failed[@]} -eq 0 ]; then
    ok "a client that overruns the window loses nothing: $bytes each way, 20 seeds"
else
    fail "a client that overruns the window: ${#failed[@]} of 20 seeds failed: ${failed[0]}"
fi

# ---- http: the page, and the disk's file byte for byte.
head -c 1048576 /dev/urandom >"$tmp/disk.img"
head -c 1048576 /dev/urandom >"$tmp/other.img"
sim_run page 120 "$ex/http" --seed=7 --block:storage=1M --net:service=http-client:/,100 "$faults" -- --seconds=60
if [ $rc -eq 0 ] && [[ $(peer_of "$tmp/page.err") == "100 of 100 responses to GET / good"* ]] &&
    grep -q '1 connections, 100 requests' "$tmp/page.out" &&
    [ "$(holds_of "$tmp/page.out")" = "0 connections, 0 listeners, 0 pbufs, 0 heap bytes" ]; then
    ok "http: 100 requests for the page on one keep-alive connection over the faulty link"
else
    fail "http, the page: status $rc, '$(lastlines "$tmp/page.err" 4)' '$(show "$tmp/page.out")'"
fi
sim_run file 120 "$ex/http" --seed=8 --block:storage="$tmp/disk.img" \
    --net:service=http-client:/file,5,"$tmp/disk.img" "$faults" -- --seconds=60
if [ $rc -eq 0 ] && [[ $(peer_of "$tmp/file.err") == "5 of 5 responses to GET /file good, 5242880 body bytes, each body equal to the file"* ]] &&
    [ "$(holds_of "$tmp/file.out")" = "0 connections, 0 listeners, 0 pbufs, 0 heap bytes" ]; then
    ok "http: GET /file 5 times over the faulty link, each body the 1 MiB disk byte for byte (read by scheduled block reads)"
else
    fail "http, /file: status $rc, '$(lastlines "$tmp/file.err" 4)' '$(show "$tmp/file.out")'"
fi

# ---- A client back on the port pairs of connections in TIME-WAIT: http
# closes first (--linger=0), the client comes back from 4 ports in turn.
# Before src/tcpip/timewait.c, the fifth connection got no answer to its
# SYNs.
head -c 4096 /dev/zero >"$tmp/small.img"
for seed in 1 2; do
    sim_run tw$seed 120 "$ex/http" --seed=$seed --block:storage="$tmp/small.img" \
        --net:service=closefirst-client:200 "$faults" -- --linger=0 --seconds=120
    peer=$(sed -n 's/^sim: peer closefirst-client on service: //p' "$tmp/tw$seed.err" | head -n 1)
    reused=$(sed -n 's/.* \([0-9]*\) in TIME-WAIT reused;.*/\1/p' "$tmp/tw$seed.out")
    if [ $rc -eq 0 ] && [[ $peer == "200 of 200 connections served"* ]] && [ "${reused:-0}" -ge 196 ]; then
        ok "a client back on the port pairs of connections in the server's TIME-WAIT, seed $seed: $peer; $reused TIME-WAITs given up"
    else
        fail "TIME-WAIT reuse, seed $seed: status $rc, '$(lastlines "$tmp/tw$seed.err" 4)' '$(lastlines "$tmp/tw$seed.out" 2)'"
    fi
done

# ---- Names, from the dns peer over a link that loses a fifth of the
# frames, and through hostile answers.
names=(www.example.test alias.example.test v4.example.test)
want="resolve: www.example.test has fd00::1 10.0.0.1|resolve: alias.example.test has fd00::1 10.0.0.1|resolve: v4.example.test has 10.0.0.1|"
lossy="--net-faults:service=delay=1ms..5ms,loss=20%,dup=1%,reorder=1%"
dns_digests=()
for seed in 1 2 3; do
    sim_run dns$seed 60 "$ex/resolve" --seed=$seed --net:service=dns "$lossy" -- \
        "${names[@]}" --dns=10.0.0.1 --timeout=30
    dns_digests+=("$(digest_of "$tmp/dns$seed.err")")
    if [ $rc -eq 0 ] && [ "$(grep '^resolve: .* has ' "$tmp/dns$seed.out" | tr '\n' '|')" = "$want" ]; then
        ok "resolve against the dns peer over a link losing 20% of frames, seed $seed: A and AAAA, a CNAME followed ($(sed -n 's/^sim: peer dns on service: \([0-9]* queries answered\).*/\1/p' "$tmp/dns$seed.err"))"
    else
        fail "resolve, seed $seed: status $rc, '$(show "$tmp/dns$seed.out")' '$(lastlines "$tmp/dns$seed.err" 3)'"
    fi
done
sim_run dnsagain 60 "$ex/resolve" --seed=1 --net:service=dns "$lossy" -- \
    "${names[@]}" --dns=10.0.0.1 --timeout=30
if [ $rc -eq 0 ] && [ -n "${dns_digests[0]}" ] && [ "$(digest_of "$tmp/dnsagain.err")" = "${dns_digests[0]}" ]; then
    ok "seed 1 again replays the resolutions: the same digest ${dns_digests[0]}"
else
    fail "resolve, seed 1 again: digest '$(digest_of "$tmp/dnsagain.err")' against '${dns_digests[0]}'"
fi
sim_run nx 60 "$ex/resolve" --seed=4 --net:service=dns "$lossy" -- nope.example.test \
    www.elsewhere.test --dns=10.0.0.1 --timeout=30
if [ $rc -eq 1 ] && grep -q '^resolve: nope.example.test: .*(MIOU_ENOTFOUND)$' "$tmp/nx.out" &&
    grep -q '^resolve: www.elsewhere.test: .*(MIOU_EDNSFAIL)$' "$tmp/nx.out"; then
    ok "NXDOMAIN is MIOU_ENOTFOUND and REFUSED is MIOU_EDNSFAIL, over the lossy link"
else
    fail "NXDOMAIN and REFUSED: status $rc, '$(show "$tmp/nx.out")'"
fi
failed=()
for seed in $(seq 1 20); do
    sim_run hostile 60 "$ex/resolve" --seed=$seed --net:service=dns:hostile "$lossy" -- \
        "${names[@]}" --dns=10.0.0.1 --timeout=30
    if [ $rc -ne 0 ] || [ "$(grep '^resolve: .* has ' "$tmp/hostile.out" | tr '\n' '|')" != "$want" ]; then
        failed+=("$seed: $(lastlines "$tmp/hostile.out" 2)")
    fi
done
if [ ${#failed[@]} -eq 0 ]; then
    ok "answers with another ID, a name pointing at itself, a record cut short or random bytes are dropped, the right ones taken: 20 seeds"
else
    fail "hostile answers: ${#failed[@]} of 20 seeds failed: ${failed[0]}"
fi

# ---- Wrong answers are caught, and replay.
sim_run wrong 120 "$ex/http" --seed=9 --block:storage="$tmp/disk.img" \
    --net:service=http-client:/file,2,"$tmp/other.img" -- --seconds=60
if [ $rc -ne 0 ] && grep -q 'response 1: the body differs from the file' "$tmp/wrong.err" &&
    [ -n "$(replay_of "$tmp/wrong.err")" ]; then
    ok "a body that is not the expected file fails the run, which prints its replay command"
else
    fail "a wrong body: status $rc, '$(lastlines "$tmp/wrong.err" 4)'"
fi
# ping's unikernel speaks no TCP: the client's SYNs go unanswered.
sim_run deaf 120 "$ex/ping" --seed=11 --net:service=echo-client:1K -- --seconds=120
cmd=$(replay_of "$tmp/deaf.err")
if [ $rc -ne 0 ] && grep -q 'connection 1: .*no answer to SYN' "$tmp/deaf.err" && [ -n "$cmd" ]; then
    eval "timeout -k 5 120 $cmd" >"$tmp/deaf2.out" 2>"$tmp/deaf2.err"
    if [ "$(digest_of "$tmp/deaf2.err")" = "$(digest_of "$tmp/deaf.err")" ]; then
        ok "a unikernel that never answers the SYN fails the run, and its replay command gives the same digest"
    else
        fail "the replay of a failed run: '$cmd': digest '$(digest_of "$tmp/deaf2.err")' against '$(digest_of "$tmp/deaf.err")'"
    fi
else
    fail "a unikernel without TCP: status $rc, '$(lastlines "$tmp/deaf.err" 4)'"
fi

# ---- Bad peer arguments: at most two lines, status 1.
bad_case "echo-client without a size" "echo-client on service: bad argument ''" "$ex/echo" --net:service=echo-client
bad_case "echo-client with a size of 0" "bad argument '0'" "$ex/echo" --net:service=echo-client:0
bad_case "echo-client with a size that is not a number" "bad argument '1X'" "$ex/echo" --net:service=echo-client:1X
bad_case "echo-client with 1,001 connections" "bad argument '1K,1001'" "$ex/echo" --net:service=echo-client:1K,1001
bad_case "echo-client with a port above 65535" "bad argument '1K,1,65536'" "$ex/echo" --net:service=echo-client:1K,1,65536
bad_case "echo-client with a bad address" "bad argument '1K,1,7,10.0.0'" "$ex/echo" --net:service=echo-client:1K,1,7,10.0.0
bad_case "dns with an argument it does not know" "dns on service: bad argument 'friendly'" "$ex/resolve" --net:service=dns:friendly -- www.example.test
bad_case "closefirst-client with a count of 0" "bad argument '0'" "$ex/http" --block:storage=1M --net:service=closefirst-client:0
bad_case "http-client with a path not from /" "bad argument 'file'" "$ex/http" --block:storage=1M --net:service=http-client:file
bad_case "http-client with a count of 0" "bad count '0'" "$ex/http" --block:storage=1M --net:service=http-client:/,0
bad_case "http-client with a file that does not exist" "cannot read '$tmp/none'" "$ex/http" --block:storage=1M --net:service=http-client:/,1,"$tmp/none"
exit 0
