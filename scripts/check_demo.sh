#!/usr/bin/env bash
# The README's first command's demo (scripts/demo.sh), on both of its
# paths: in a network namespace when it can make one, and over UNIX
# sockets as a user without privileges would run it; and make demo,
# which builds only what the demo runs.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
check_begin demo
for how in default unprivileged; do
    out=$tmp/$how.out
    if [ $how = default ]; then
        timeout -k 10 120 scripts/demo.sh >"$out" 2>&1
    else
        MIOU_DEMO_UNPRIVILEGED=1 timeout -k 10 120 scripts/demo.sh >"$out" 2>&1
    fi
    rc=$?
    if [ $rc -eq 0 ] && grep -q '^demo: ok$' "$out" &&
        grep -q '^demo.sh: ok$' "$out"; then
        ok "scripts/demo.sh ($how path) serves every ping and ends ok"
    else
        fail "scripts/demo.sh ($how path): exit status $rc: $(lastlines "$out" 5)"
    fi
done

# make demo builds what the demo runs and nothing else: no lwIP, whose
# source a fresh machine would have to fetch over the network.
make -n -B --no-print-directory demo >"$tmp/dry" 2>&1
links=$(sed -n 's|.* -o build/hosted/examples/\([a-z_]*\)$|\1|p' "$tmp/dry" | sort | tr '\n' ' ')
if grep -qiE 'lwip|fetch_lwip' "$tmp/dry"; then
    fail "make demo builds nothing of lwIP: $(grep -iE -m 3 'lwip' "$tmp/dry" | tr '\n' '|')"
elif [ "$links" != "demo pinger " ]; then
    fail "make demo links the demo and its peer only: it links '$links'"
else
    ok "make demo builds the demo and its peer only: no lwIP, no network"
fi
