#!/usr/bin/env bash
# make install, as users do it: every platform (hosted, sim and solo5,
# each with its TCP/IP layer) into ONE prefix, in one order and then in
# the other, and from that prefix, through pkg-config alone, a program
# built and run on each platform, and a TCP/IP program on each. Then,
# from the hosted install, a program with devices whose manifest the
# installed miou-manifest makes.
#
# Without Solo5 (SOLO5_HOME, or its toolchain on PATH), the solo5 install
# is that of its freestanding build (the host's compiler as Solo5's
# wrapper would call it: the same files in the same places), so that a
# clash with the other platforms still shows; its programs are SKIPPED.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
# shellcheck source=scripts/lib/solo5.sh
. scripts/lib/solo5.sh
check_begin install
MAKE=${MAKE:-make}
arch=${SOLO5_ARCH:-$(uname -m)}
if ! command -v pkg-config >/dev/null 2>&1; then
    skip "pkg-config builds an installed program" "pkg-config is not installed"
    exit 0
fi

s5cc=$(solo5_find "$arch-solo5-none-static-cc")
spt=$(solo5_find solo5-spt)
elftool=$(solo5_find solo5-elftool)
solo5=()
if [ -z "$s5cc" ] || [ -z "$spt" ] || [ -z "$elftool" ]; then
    solo5=(SOLO5_FREESTANDING=1)
    why_no_solo5="Solo5 not found ($arch-solo5-none-static-cc, solo5-spt, solo5-elftool): set SOLO5_HOME"
fi

# install PREFIX PLATFORM...: make install and install-tcpip of each
# PLATFORM into PREFIX, in that order; status 1 after a failed result
# line.
install() {
    local prefix=$1 p target
    shift
    for p in "$@"; do
        for target in install install-tcpip; do
            local words=(PLATFORM="$p")
            [ "$p" = solo5 ] && words+=("${solo5[@]}")
            # The freestanding stand-in has no TCP/IP layer to install.
            [ "$p" = solo5 ] && [ ${#solo5[@]} -gt 0 ] &&
                [ $target = install-tcpip ] && continue
            if ! "$MAKE" --no-print-directory -s "${words[@]}" $target \
                PREFIX="$prefix" >"$tmp/log" 2>&1; then
                fail "make ${words[*]} $target PREFIX=...: $(lastlines "$tmp/log")"
                return 1
            fi
        done
    done
}

# cc_pkg PREFIX OUT PACKAGE SOURCE...: the host's compiler with PACKAGE's
# flags from PREFIX; its errors in $tmp/log.
cc_pkg() {
    local prefix=$1 out=$2 package=$3
    shift 3
    # shellcheck disable=SC2046 # the flags are words
    PKG_CONFIG_PATH=$prefix/lib/pkgconfig cc -std=c11 -O2 "$@" \
        $(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs "$package") \
        -o "$out" 2>"$tmp/log"
}

# spt_pkg PREFIX OUT PACKAGE SOURCE...: a solo5-spt unikernel with
# PACKAGE's flags from PREFIX, and the installed manifest of a unikernel
# without devices unless a *.json is given.
spt_pkg() {
    local prefix=$1 out=$2 package=$3 src mft=$1/share/miou-solo5/empty.manifest.json
    local objs=() pc=$1/lib/pkgconfig
    shift 3
    for src in "$@"; do
        case $src in
        *.json) mft=$src ;;
        *)
            objs+=("$tmp/$(basename "$src" .c).o")
            # shellcheck disable=SC2046
            "$s5cc" -std=c11 -O2 $(PKG_CONFIG_PATH=$pc pkg-config --cflags "$package") \
                -c "$src" -o "${objs[-1]}" 2>"$tmp/log" || return 1 ;;
        esac
    done
    "$elftool" gen-manifest "$mft" "$tmp/mft.c" >"$tmp/log" 2>&1 &&
        "$s5cc" -c "$tmp/mft.c" -o "$tmp/mft.o" 2>"$tmp/log" || return 1
    # shellcheck disable=SC2046
    "$s5cc" -z solo5-abi=spt "${objs[@]}" "$tmp/mft.o" \
        $(PKG_CONFIG_PATH=$pc pkg-config --libs "$package") -o "$out" 2>"$tmp/log"
}

# hello PREFIX ORDER: examples/hello.c built against PREFIX on each
# platform; each must print Hello World.
hello() {
    local prefix=$1 order=$2 p out
    for p in hosted sim solo5; do
        local what="installed in the order $order, a program built with miou-$p.pc runs"
        if [ "$p" = solo5 ]; then
            if [ ${#solo5[@]} -gt 0 ]; then
                skip "$what" "$why_no_solo5"
                continue
            fi
            spt_pkg "$prefix" "$tmp/hello.spt" miou-solo5 examples/hello.c &&
                out=$(timeout 30 "$spt" "$tmp/hello.spt" --solo5:quiet 2>&1)
        else
            cc_pkg "$prefix" "$tmp/hello.$p" "miou-$p" examples/hello.c &&
                out=$(timeout 30 "$tmp/hello.$p" --solo5:quiet 2>/dev/null)
        fi
        if [ $? -ne 0 ]; then
            fail "$what: $(lastlines "$tmp/log") $out"
        elif [ "$out" != "Hello World" ]; then
            fail "$what: it printed '$out'"
        else
            ok "$what"
        fi
    done
}

# echo_ends OUT: the echo example's output says it served and ended
# holding nothing.
echo_ends() {
    grep -q '^echo: serving TCP and UDP port 7 on 10.0.0.2$' "$1" &&
        grep -q 'lwIP holds 0 connections, 0 pbufs, 0 heap bytes$' "$1"
}

# tcpip PREFIX ORDER: the echo example, with miou-tcpip-PLATFORM.pc: run
# for half a second on hosted (a UNIX socket, no privileges) and sim (a
# silent peer); linked for solo5-spt.
tcpip() {
    local prefix=$1 order=$2 p rc
    local srcs=(examples/echo.c examples/lib/*.c)
    "$prefix/bin/miou-manifest" examples/echo.manifest.json "$tmp/echo_mft.c" 2>"$tmp/log" || {
        fail "the installed miou-manifest converts echo's manifest: $(lastlines "$tmp/log")"
        return
    }
    for p in hosted sim solo5; do
        local what="installed in the order $order, a TCP/IP program built with miou-tcpip-$p.pc"
        if [ "$p" = solo5 ]; then
            if [ ${#solo5[@]} -gt 0 ]; then
                skip "$what links" "$why_no_solo5"
            elif spt_pkg "$prefix" "$tmp/echo.spt" miou-tcpip-solo5 "${srcs[@]}" \
                examples/echo.manifest.json; then
                ok "$what links for solo5-spt"
            else
                fail "$what links for solo5-spt: $(lastlines "$tmp/log")"
            fi
            continue
        fi
        if ! cc_pkg "$prefix" "$tmp/echo.$p" "miou-tcpip-$p" "${srcs[@]}" "$tmp/echo_mft.c"; then
            fail "$what: $(lastlines "$tmp/log")"
            continue
        fi
        local net=--net:service=silent
        [ "$p" = hosted ] && net=--net:service="unix:$tmp/echo.sock,$tmp/peer.sock"
        timeout -k 5 30 "$tmp/echo.$p" "$net" -- --solo5:quiet --seconds=0.5 \
            >"$tmp/echo.out" 2>&1
        rc=$?
        if [ $rc -eq 0 ] && echo_ends "$tmp/echo.out"; then
            ok "$what starts its stack on $p and ends holding nothing"
        else
            fail "$what on $p: status $rc, $(lastlines "$tmp/echo.out")"
        fi
    done
}

# ---- Both orders, each into a prefix of its own.
for order in "hosted sim solo5" "solo5 sim hosted"; do
    prefix=$tmp/prefix-${order// /-}
    # shellcheck disable=SC2086 # the platforms are words
    install "$prefix" $order || exit 0
    hello "$prefix" "${order// /, }"
    tcpip "$prefix" "${order// /, }"
done

# ---- A program with devices, as a user builds one: its manifest through
# the installed miou-manifest, then run on a disk image.
prefix=$tmp/prefix-hosted-sim-solo5
"$prefix/bin/miou-manifest" examples/block.manifest.json "$tmp/manifest.c" 2>"$tmp/log"
if ! cc_pkg "$prefix" "$tmp/block" miou-hosted examples/block.c examples/lib/*.c \
    "$tmp/manifest.c"; then
    fail "pkg-config builds an installed program with devices: $(lastlines "$tmp/log")"
else
    dd if=/dev/zero of="$tmp/disk.img" bs=4096 count=16 status=none
    out=$("$tmp/block" --block:storage="$tmp/disk.img" \
        --block-sector-size:storage=4096 2>&1)
    if printf '%s\n' "$out" | grep -q '^block: ok$'; then
        ok "an installed program with devices, its manifest made by the installed miou-manifest, runs"
    else
        fail "installed block example: $(printf '%s' "$out" | tail -3 | tr '\n' ' ')"
    fi
fi
exit 0
