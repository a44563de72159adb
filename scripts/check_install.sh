#!/usr/bin/env bash
# Install into a temporary prefix and build an example against the
# installed headers and libraries through pkg-config, as a user would.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
check_begin install
if ! command -v pkg-config >/dev/null 2>&1; then
    skip "pkg-config builds an installed program" "pkg-config is not installed"
    exit 0
fi
if ! make -s install PREFIX="$tmp/prefix" >"$tmp/log" 2>&1; then
    fail "make install PREFIX=...: $(tail -3 "$tmp/log" | tr '\n' ' ')"
    exit 0
fi
# The TCP/IP layer, installed apart (it needs lwIP's source). Before the
# cases below: examples/lib, which they compile, includes its header.
if ! make -s install-tcpip PREFIX="$tmp/prefix" >"$tmp/log" 2>&1; then
    fail "make install-tcpip PREFIX=...: $(tail -3 "$tmp/log" | tr '\n' ' ')"
    exit 0
fi
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
if ! cc -std=c11 examples/hello.c $(pkg-config --cflags --libs miou-hosted) \
        -o "$tmp/hello" 2>"$tmp/log"; then
    fail "pkg-config builds an installed program: $(head -3 "$tmp/log" | tr '\n' ' ')"
    exit 0
fi
out=$("$tmp/hello")
if [ "$out" = "Hello World" ]; then
    ok "pkg-config builds an installed program that runs"
else
    fail "installed hello printed '$out'"
fi

# A program with devices, as a user builds one: its manifest through the
# installed miou-manifest, then run on a disk image.
tool=$tmp/prefix/bin/miou-manifest
if [ ! -x "$tool" ]; then
    fail "make install installs miou-manifest in PREFIX/bin"
elif ! "$tool" examples/block.manifest.json "$tmp/manifest.c" 2>"$tmp/log"; then
    fail "the installed miou-manifest converts a manifest: $(head -3 "$tmp/log" | tr '\n' ' ')"
# shellcheck disable=SC2046
elif ! cc -std=c11 examples/block.c examples/lib/*.c \
        "$tmp/manifest.c" $(pkg-config --cflags --libs miou-hosted) \
        -o "$tmp/block" 2>"$tmp/log"; then
    fail "pkg-config builds an installed program with devices: $(head -3 "$tmp/log" | tr '\n' ' ')"
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

# A TCP/IP program, as a user builds one: the echo example against
# miou-tcpip-hosted.pc, run for half a second over the unprivileged net
# backend (a UNIX socket: no privileges, no traffic).
# shellcheck disable=SC2046
if ! "$tool" examples/echo.manifest.json "$tmp/echo_manifest.c" 2>"$tmp/log"; then
    fail "the installed miou-manifest converts echo's manifest: $(head -3 "$tmp/log" | tr '\n' ' ')"
elif ! cc -std=c11 examples/echo.c examples/lib/*.c "$tmp/echo_manifest.c" \
        $(pkg-config --cflags --libs miou-tcpip-hosted) \
        -o "$tmp/echo" 2>"$tmp/log"; then
    fail "pkg-config builds an installed TCP/IP program: $(head -3 "$tmp/log" | tr '\n' ' ')"
else
    out=$(timeout -k 5 30 "$tmp/echo" \
        --net:service="unix:$tmp/echo.sock,$tmp/peer.sock" -- --solo5:quiet --seconds=0.5 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q '^echo: serving TCP and UDP port 7 on 10.0.0.2$' &&
        printf '%s\n' "$out" | grep -q 'lwIP holds 0 connections, 0 pbufs, 0 heap bytes$'; then
        ok "an installed TCP/IP program (echo, through miou-tcpip-hosted.pc) starts its stack and ends holding nothing"
    else
        fail "installed echo: status $rc, $(printf '%s' "$out" | tail -3 | tr '\n' ' ')"
    fi
fi
