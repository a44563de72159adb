#!/usr/bin/env bash
# 100,000 keep-alive connections in one unikernel: the http example
# (examples/http.c), hosted and under solo5-spt, holds CONNS_N (100,000)
# connections at once from tests/tools/connhold, run as several
# processes from several addresses (scripts/lib/conns.sh), inside a
# network namespace of our own (miou-test-PID-conns, tap0 at 10.0.0.1,
# the clients at 10.0.0.11 and on; deleted on every way out). Each
# connection sends GET / every 4 s; every response must be the page byte
# for byte (but for its Date) and come within 10 s; all are held for 8 s
# of requests, then idle while the server is measured.
#
# Per platform, two cases:
#  - all held and answered, in at most 16 KiB each: under solo5-spt the
#    unikernel's own count of its heap in use (everything it allocates:
#    task stacks and records, lwIP's control blocks, buffers) grown by
#    at most 16,384 bytes per connection; on hosted, where the program's
#    malloc() is the host's, the process's resident memory (which holds
#    the heap's pages and the host's malloc()) grown by at most as much;
#    the line gives both figures on both;
#  - once the clients close (each waits for the server's close), the
#    unikernel holds no connection and no packet buffer, and its heap is
#    back to where it was but for what the scheduler keeps for reuse
#    during a run (its pool of stacks, its task records, kept so that a
#    stale handle is recognised, the sleepers' arrays), which miou_stats()
#    counts: the heap in use less that figure, both from the unikernel's
#    --stats line, within 256 KiB of where it was (the heap's own headers
#    of the blocks kept, about 32 bytes each; 2.6 bytes a connection).
#
# Needs root, ip and /dev/net/tun (SKIPPED otherwise), Solo5 for the spt
# cases (SKIPPED without), and enough open files per process for the
# clients (scripts/lib/conns.sh). About 25 s per platform at 100,000.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
# shellcheck source=scripts/lib/solo5.sh
. scripts/lib/solo5.sh
# shellcheck source=scripts/lib/conns.sh
. scripts/lib/conns.sh
check_begin conns
build=${BUILD:-build/hosted}
prog=$build/examples/http
CONNHOLD=$build/tests/tools/connhold
n=${CONNS_N:-100000}
limit=16384
addr=10.0.0.2
# The unikernels end by themselves at the latest after this; the cases
# end them sooner.
seconds=300

held="$n keep-alive connections held at once, a request every 4 s each, every response byte for byte, in at most 16 KiB each"
freed="once the $n clients close, the unikernel holds no connection nor buffer, its heap back"
cases=("$held" "$freed" "under solo5-spt, $held" "under solo5-spt, $freed")

skip_all() {
    local what
    for what in "${cases[@]}"; do
        skip "$what" "$1"
    done
    exit 0
}

need_built "$prog" "$CONNHOLD"
conns_plan "$n" || skip_all "$why"
# tap0's queue towards the unikernel: bursts of connections.
tap_netns "miou-test-$$-conns" 20000 || skip_all "$why"
head -c 4096 /dev/zero >"$tmp/disk.img"

# serve FIRST HELD FREED COMMAND...: the two cases against the unikernel
# that COMMAND starts (in the namespace; its pid the program's own, for
# its resident memory), the clients at 10.0.0.FIRST and on (addresses of
# their own each time: a client's port pairs stay in TIME-WAIT on its
# side a minute).
serve() {
    local first=$1 held_what=$2 freed_what=$3 out=$tmp/server.out
    local heap0 sched0 open heap lw pb sched rss0 rss per_heap per_rss
    shift 3
    if ! conns_sources "$ns" tap0 10.0.0 "$first"; then
        fail "$held_what: cannot add the clients' addresses to tap0"
        return
    fi
    timeout 10 ip netns exec "$ns" ip neigh flush dev tap0 2>/dev/null
    bound=()
    if ! start server '^http: serving port ' "$@"; then
        skip "$freed_what" "the server did not start"
        return
    fi
    read -r _ heap0 _ _ sched0 < <(conns_fresh_stats "$out")
    rss0=$(rss_kib "$pid")
    mkdir -p "$tmp/clients"
    conns_start "$ns" "$addr" 80 "$tmp/clients" --interval=4 --hold=8 \
        --idle=30 --timeout=200
    if ! conns_wait_idle 150; then
        fail "$held_what: $why; server: $(lastlines "$out" 2)"
        conns_release 30
        stop 0
        skip "$freed_what" "the connections were not held"
        return
    fi
    read -r open heap lw pb _ < <(conns_fresh_stats "$out")
    rss=$(rss_kib "$pid")
    if ! conns_release 60; then
        fail "$held_what: $why"
    elif [ -z "$open" ] || [ -z "$heap0" ] || [ -z "$rss" ] || [ -z "$rss0" ]; then
        fail "$held_what: no --stats line or resident memory: $(lastlines "$out" 2)"
    elif [ "$open" -ne "$n" ]; then
        fail "$held_what: the server says $open open, wanted $n"
    else
        per_heap=$(((heap - heap0) / n))
        per_rss=$(((rss - rss0) * 1024 / n))
        local text="$per_heap heap bytes and $per_rss resident bytes per connection; $conns_responses responses, $conns_rate/s, latency at most $conns_max_ms ms; lwIP $lw connections, $pb pbufs"
        local measured=$per_heap
        case $held_what in under*) ;; *) measured=$per_rss ;; esac
        if [ "$measured" -le $limit ]; then
            ok "$held_what ($text)"
        else
            fail "$held_what: $measured bytes per connection, above $limit ($text)"
        fi
    fi
    # The clients have closed: the server must let go of everything.
    local i line=
    for ((i = 0; i < 60; i++)); do
        read -r open heap lw pb sched < <(conns_stats "$out")
        if [ "${open:-1}" = 0 ] && [ "${lw:-1}" = 0 ] && [ "${pb:-1}" = 0 ]; then
            line=1
            break
        fi
        alive "$pid" || break
        sleep 0.5
    done
    if [ -z "$line" ]; then
        fail "$freed_what: 30 s after, $(grep '^http: stats: ' "$out" | tail -n 1)"
    elif [ -z "$sched" ] || [ -z "$sched0" ] ||
        [ $((heap - sched)) -gt $((heap0 - sched0 + 256 * 1024)) ]; then
        fail "$freed_what: heap $heap bytes in use, the scheduler's ${sched:-?}; before the connections $heap0 and ${sched0:-?}"
    else
        ok "$freed_what (heap $heap bytes in use, $heap0 before; the scheduler keeps $sched for reuse, $sched0 before: $((heap - sched - heap0 + sched0)) bytes more besides)"
    fi
    stop 0
}

serve 11 "$held" "$freed" ip netns exec "$ns" "$prog" --mem=2048 \
    --net:service=tap0 --block:storage="$tmp/disk.img" -- "$addr" \
    --idle=600 --stats=1 --seconds=$seconds

tender=$(solo5_find solo5-spt)
if [ -z "$tender" ]; then
    skip "${cases[2]}" "Solo5 not found (export SOLO5_HOME, a built Solo5 tree with tenders/spt/solo5-spt)"
    skip "${cases[3]}" "Solo5 not found"
    exit 0
fi
uk=build/spt/examples/http.spt
spt_built "$uk" || exit 0
serve 21 "${cases[2]}" "${cases[3]}" ip netns exec "$ns" "$tender" --mem=2048 \
    --net:service=tap0 --block:storage="$tmp/disk.img" "$uk" --solo5:quiet \
    "$addr" --idle=600 --stats=1 --seconds=$seconds
exit 0
