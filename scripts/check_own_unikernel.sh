#!/usr/bin/env bash
# A user's own unikernel, as the README's section "Your own unikernel"
# shows it: every platform installed into one prefix, then app.c and the
# Makefile taken from that section into a folder outside the tree, built
# by the installed make fragment and run on hosted, sim and (when Solo5
# is found) solo5-spt; then the section's manifest.json added, which
# declares a block device: every platform refuses to start without it and
# sees the disk with it. Also tests/install/own_libc.c, a unikernel that
# defines memset(), memcpy(), printf() and puts() of its own, built at -O2
# the same way and run on each platform.
#
# Solo5 is found as the Makefile finds it (SOLO5_HOME, else PATH); without
# it the Solo5 cases are SKIPPED, and the fragment must say, in one line,
# that it left the Solo5 unikernels out.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
# shellcheck source=scripts/lib/solo5.sh
. scripts/lib/solo5.sh
check_begin own-unikernel
MAKE=${MAKE:-make}
prefix=$tmp/prefix
arch=${SOLO5_ARCH:-$(uname -m)}

if ! command -v pkg-config >/dev/null 2>&1; then
    skip "the README's unikernel builds from an installed prefix" "pkg-config is not installed"
    exit 0
fi

spt=$(solo5_find solo5-spt)
solo5=
[ -n "$(solo5_find "$arch-solo5-none-static-cc")" ] && [ -n "$spt" ] &&
    [ -n "$(solo5_find solo5-elftool)" ] && solo5=1
why_no_solo5="Solo5 not found ($arch-solo5-none-static-cc, solo5-spt, solo5-elftool): set SOLO5_HOME (README, 'The Solo5 target')"

# ---- Every platform into one prefix.
platforms=(hosted sim)
[ -n "$solo5" ] && platforms+=(solo5)
for p in "${platforms[@]}"; do
    if ! "$MAKE" --no-print-directory PLATFORM="$p" install PREFIX="$prefix" \
        >"$tmp/install.log" 2>&1; then
        fail "make PLATFORM=$p install: $(lastlines "$tmp/install.log")"
        exit 0
    fi
done

# ---- The README's files: in its section "Your own unikernel", the first
# block of each language.
section() {
    awk '/^## / { inside = ($0 == "## Your own unikernel") } inside' README.md
}
# block LANGUAGE: the first ```LANGUAGE block of the section.
block() {
    section | awk -v lang="$1" '
        $0 == "```" lang && !done { on = 1; next }
        on && /^```$/ { on = 0; done = 1; next }
        on { print }'
}
project=$tmp/project
mkdir -p "$project"
block c >"$project/app.c"
block make >"$project/Makefile"
block json >"$tmp/manifest.json"
for f in "$project/app.c" "$project/Makefile" "$tmp/manifest.json"; do
    if [ ! -s "$f" ]; then
        fail "the README's section 'Your own unikernel' shows $(basename "$f")"
        exit 0
    fi
done
lines=$(grep -cv '^[[:space:]]*\(#.*\)\?$' "$project/Makefile")
if [ "$lines" -le 3 ]; then
    ok "the README's Makefile has $lines lines"
else
    fail "the README's Makefile has $lines lines, more than 3: $(show "$project/Makefile")"
fi

# build LABEL DIR: make in DIR against the prefix, quietly; its output in
# $tmp/build.out; status 1 after a failed result line.
build() {
    if "$MAKE" --no-print-directory -C "$2" MIOU_PREFIX="$prefix" \
        >"$tmp/build.out" 2>&1; then
        return 0
    fi
    fail "$1: make: $(grep -E 'error|\*\*\*' "$tmp/build.out" | head -n 4 | tr '\n' '|')"
    return 1
}

# runs LABEL WANT DIR NAME [TENDER OPTION]...: NAME (hosted), NAME.sim and
# NAME.spt of DIR, quiet, each printing exactly WANT and exiting 0.
runs() {
    local label=$1 want=$2 dir=$3 name=$4 how out rc
    shift 4
    for how in hosted sim spt; do
        case $how in
        hosted) cmd=("$dir/$name" "$@" --solo5:quiet) ;;
        sim) cmd=("$dir/$name.sim" "$@" --solo5:quiet) ;;
        spt)
            if [ -z "$solo5" ]; then
                skip "$label on solo5-spt" "$why_no_solo5"
                continue
            fi
            cmd=("$spt" "$@" "$dir/$name.spt" --solo5:quiet) ;;
        esac
        # Standard output: the console (sim's report and hosted's banner
        # are on standard error).
        out=$(cd "$dir" && timeout -k 5 60 "${cmd[@]}" 2>"$tmp/err")
        rc=$?
        [ "$how" = spt ] && how="solo5-spt"
        if [ $rc -eq 0 ] && [ "$out" = "$want" ]; then
            ok "$label on $how"
        else
            fail "$label on $how: status $rc, printed '$(printf '%s' "$out" | tr '\n' '|')': $(show "$tmp/err")"
        fi
    done
}

# ---- The README's unikernel, without devices.
if build "the README's unikernel" "$project"; then
    built=
    for f in app app.sim; do [ -x "$project/$f" ] && built="$built $f"; done
    if [ -n "$solo5" ]; then
        for f in app.spt app.hvt app.virtio; do
            [ -e "$project/$f" ] && built="$built $f"
        done
        want=" app app.sim app.spt app.hvt app.virtio"
    else
        want=" app app.sim"
        if grep -q '^unikernel.mk: not built: app.spt, .hvt, .virtio (Solo5 not found' "$tmp/build.out"; then
            ok "without Solo5, the build says in one line that it left the Solo5 unikernels out"
        else
            fail "without Solo5, the build says that it left the Solo5 unikernels out: $(show "$tmp/build.out")"
        fi
    fi
    if [ "$built" = "$want" ]; then
        ok "the README's Makefile builds app.c as$want"
    else
        fail "the README's Makefile builds app.c as$want: built$built"
    fi
    runs "the README's unikernel without devices runs" \
        $'parent: no disk\nchild: slept 1 ms' "$project" app
    # make run: the hosted one.
    out=$("$MAKE" -s --no-print-directory -C "$project" MIOU_PREFIX="$prefix" \
        run ARGS=--solo5:quiet 2>"$tmp/err")
    if [ "$out" = $'parent: no disk\nchild: slept 1 ms' ]; then
        ok "make run runs the hosted unikernel"
    else
        fail "make run runs the hosted unikernel: printed '$out': $(show "$tmp/err")"
    fi

    # Into a pipe, the program's printf() lines come before the
    # platform's last line (glibc holds a pipe's output until exit
    # unless the platform says otherwise).
    out=$(cd "$project" && timeout -k 5 60 ./app 2>&1 | cat)
    if printf '%s\n' "$out" | grep -q 'solo5_app_main() returned 0' &&
        [ "$(printf '%s\n' "$out" | grep -E '^(child: slept 1 ms|miou-solo5: solo5_app_main\(\) returned 0)$' | tr '\n' '|')" = 'child: slept 1 ms|miou-solo5: solo5_app_main() returned 0|' ]; then
        ok "into a pipe, the hosted unikernel's printf() lines come before the platform's last line"
    else
        fail "into a pipe, the hosted unikernel's printf() lines come before the platform's last line: got '$(printf '%s' "$out" | tr '\n' '|')'"
    fi

    # ---- With the README's manifest: a block device.
    cp "$tmp/manifest.json" "$project/manifest.json"
    dd if=/dev/zero of="$project/disk.img" bs=512 count=64 status=none
    if build "the README's unikernel with a block device" "$project"; then
        runner=("$project/app")
        refused "with the manifest's block device, the hosted unikernel refuses to start without it" \
            "^app: device 'storage': declared as BLOCK_BASIC but not attached"
        runner=("$project/app.sim")
        refused "with the manifest's block device, the sim unikernel refuses to start without it" \
            "^app.sim: device 'storage' of the manifest is not attached"
        runs "the README's unikernel with a disk runs" \
            $'parent: a disk of 32768 bytes\nchild: slept 1 ms' \
            "$project" app --block:storage=disk.img
    fi
fi

# ---- A unikernel with its own memset, memcpy, printf and puts, at -O2.
own=$tmp/own
mkdir -p "$own"
cp tests/install/own_libc.c "$own/"
sed 's/^UNIKERNEL = .*/UNIKERNEL = own_libc/' "$project/Makefile" >"$own/Makefile"
if build "own_libc.c" "$own"; then
    if grep -q -- '-O2' "$tmp/build.out"; then
        ok "own_libc.c is built at -O2"
    else
        fail "own_libc.c is built at -O2: $(show "$tmp/build.out")"
    fi
    runs "a unikernel with its own memset, memcpy, printf and puts runs" \
        $'own_libc: ten tasks ran, memset and memcpy called here\nown_libc: done' \
        "$own" own_libc
    # The platform's own texts do not go through the program's printf.
    out=$("$own/own_libc" --help 2>&1)
    if printf '%s\n' "$out" | grep -q '^Usage: own_libc ' &&
        printf '%s\n' "$out" | grep -q -- '--block-sector-size:NAME=N'; then
        ok "the hosted tender's --help is whole beside the program's own printf"
    else
        fail "the hosted tender's --help beside the program's own printf: $(printf '%s' "$out" | head -c 300 | tr '\n' '|')"
    fi
fi
exit 0
