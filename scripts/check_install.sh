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
