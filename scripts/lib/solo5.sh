# shellcheck shell=bash
# solo5_find NAME: the path of Solo5's tool NAME, found as mk/solo5.mk
# finds it: in $SOLO5_HOME (a built Solo5 tree or an install prefix),
# else on PATH; nothing (and status 1) when absent. Sourced by
# scripts/check_solo5.sh, the TCP/IP check scripts, bench/run.sh and
# bench/tcpip.sh.
solo5_find() {
    local d
    if [ -n "${SOLO5_HOME:-}" ]; then
        for d in bin toolchain/bin elftool tenders/spt tenders/hvt; do
            if [ -x "$SOLO5_HOME/$d/$1" ]; then
                echo "$SOLO5_HOME/$d/$1"
                return 0
            fi
        done
    fi
    command -v "$1"
}

# spt_built UNIKERNEL: make UNIKERNEL (a path under build/spt/) with
# Solo5's toolchain, or bring it up to date (a test must not run an
# image older than the tree); on failure, the failed result line
# "UNIKERNEL builds: ERRORS" and status 1. For the check scripts (it
# needs scripts/lib/check.sh's fail and $tmp).
spt_built() {
    timeout -k 5 600 make --no-print-directory PLATFORM=solo5 -j2 "$1" \
        >"$tmp/spt-build.log" 2>&1 && return 0
    fail "$1 builds: $(grep -E 'error|\*\*\*' "$tmp/spt-build.log" | head -n 3 | tr '\n' '|')"
    return 1
}
