#!/usr/bin/env bash
# Build and run every C snippet of README.md against the hosted build, so
# that the README cannot drift from the API. Prints one test line per
# snippet: it must build warning-free, exit 0, and the first one must print
# what the README says it prints.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
check_begin readme
build=${BUILD:-build/hosted}
awk -v dir="$tmp" '
    /^```c$/ { n++; inside = 1; next }
    /^```$/ && inside { inside = 0; next }
    inside { print > (dir "/snippet" n ".c") }
' README.md
for src in "$tmp"/snippet*.c; do
    [ -e "$src" ] || { fail "no C snippet found"; exit 0; }
    name=$(basename "$src" .c)
    if ! ${CC:-cc} -std=c11 -Wall -Wextra -Werror -Iinclude "$src" \
        -Wl,--start-group "$build/libmiou-hosted.a" "build/core/libmiou.a" \
        -Wl,--end-group -o "$tmp/$name" 2>"$tmp/$name.err"; then
        fail "$name builds: $(head -3 "$tmp/$name.err" | tr '\n' ' ')"
        continue
    fi
    # Standard output only: the platform's banner goes to standard error.
    out=$("$tmp/$name" 2>"$tmp/$name.stderr"); rc=$?
    if [ $rc -ne 0 ]; then
        fail "$name runs: exit status $rc, output: $out"
    elif [ "$name" = snippet1 ] && [ "$out" != $'Hello\nWorld' ]; then
        fail "$name prints Hello then World: got '$out'"
    else
        ok "$name builds and runs"
    fi
done
