# shellcheck shell=bash
# solo5_find NAME: the path of Solo5's tool NAME, found as mk/solo5.mk
# finds it: in $SOLO5_HOME (a built Solo5 tree or an install prefix),
# else on PATH; nothing (and status 1) when absent. Sourced by
# scripts/check_solo5.sh, bench/run.sh and bench/tcpip.sh.
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
