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
