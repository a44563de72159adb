#!/usr/bin/env bash
# Install into a temporary prefix and build an example against the
# installed headers and libraries through pkg-config, as a user would.
set -u
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! command -v pkg-config >/dev/null 2>&1; then
    echo "skip - install: pkg-config builds an installed program: SKIPPED pkg-config is not installed"
    exit 0
fi
if ! make -s install PREFIX="$tmp/prefix" >"$tmp/log" 2>&1; then
    echo "not ok - install: make install PREFIX=...: $(tail -3 "$tmp/log" | tr '\n' ' ')"
    exit 0
fi
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
if ! cc -std=c11 examples/hello.c $(pkg-config --cflags --libs miou-hosted) \
        -o "$tmp/hello" 2>"$tmp/log"; then
    echo "not ok - install: pkg-config builds an installed program: $(head -3 "$tmp/log" | tr '\n' ' ')"
    exit 0
fi
out=$("$tmp/hello")
if [ "$out" = "Hello World" ]; then
    echo "ok - install: pkg-config builds an installed program that runs"
else
    echo "not ok - install: installed hello printed '$out'"
fi
