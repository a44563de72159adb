# shellcheck shell=bash
# Helpers of the scripts that run sim programs (check_sim.sh,
# check_sim_tcpip.sh), after scripts/lib/check.sh (for $tmp, ok, fail,
# show).

# The report's digest (16 hexadecimal digits) in (file), or nothing.
digest_of() { sed -n 's/^sim: seed .*, digest \([0-9a-f]\{16\}\)$/\1/p' "$1" | tail -n 1; }
# The replay command a failed run printed in (file).
replay_of() { sed -n 's/^sim: replay: //p' "$1" | tail -n 1; }

# sim_run NAME SECONDS COMMAND...: output in $tmp/NAME.out, errors in
# $tmp/NAME.err, exit status in $rc.
rc=0
sim_run() {
    local name=$1 secs=$2
    shift 2
    timeout -k 5 "$secs" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
}

# bad_case SENTENCE PATTERN COMMAND...: the case "refused: SENTENCE", that
# COMMAND stops at start-up with status 1, nothing on standard output,
# and at most two lines on standard error (a peer's own line, then the
# platform's), one of them matching PATTERN (grep's basic syntax).
bad_case() {
    local sentence=$1 pattern=$2
    shift 2
    sim_run bad 30 "$@"
    if [ $rc -eq 1 ] && [ ! -s "$tmp/bad.out" ] && grep -q -- "$pattern" "$tmp/bad.err" &&
        [ "$(wc -l <"$tmp/bad.err")" -le 2 ]; then
        ok "refused: $sentence"
    else
        fail "refused: $sentence: status $rc, '$(show "$tmp/bad.err")'"
    fi
}
