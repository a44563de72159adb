#!/usr/bin/env bash
# The hosted tender's command line, as a user meets it: every option, every
# bad value answered by one clear line and exit status 1, and the
# unikernel's own arguments passed through. Prints one test line per case.
set -u
cd "$(dirname "$0")/.."
build=${BUILD:-build/hosted}
hello=$build/examples/hello
lister=$build/tests/test_errors
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect NAME STATUS PATTERN COMMAND...: exit status and a line of output
# (stdout and stderr) matching the extended regular expression PATTERN.
expect() {
    local name=$1 want=$2 pattern=$3 rc
    shift 3
    timeout 30 "$@" >"$tmp/out" 2>&1
    rc=$?
    if [ $rc -ne "$want" ]; then
        echo "not ok - tender: $name: exit status $rc, wanted $want: $(head -c 200 "$tmp/out" | tr '\n' '|')"
    elif ! grep -qE -- "$pattern" "$tmp/out"; then
        echo "not ok - tender: $name: no line matches '$pattern': $(head -c 200 "$tmp/out" | tr '\n' '|')"
    else
        echo "ok - tender: $name"
    fi
}

if [ ! -x "$hello" ] || [ ! -x "$lister" ]; then
    echo "not ok - tender: $hello and $lister are built"
    exit 0
fi
expect "--help lists the options and exits 0" 0 '^  --mem=MiB ' "$hello" --help
expect "--version names the platform and version" 0 \
    '^hello \(miou-solo5, hosted platform\) [0-9]+\.[0-9]+\.[0-9]+$' "$hello" --version
expect "--mem=abc is refused" 1 "^hello: invalid --mem value 'abc': not a whole number of MiB$" \
    "$hello" --mem=abc
expect "--mem=0 is refused" 1 "^hello: invalid --mem value '0': the heap needs at least 1 MiB$" \
    "$hello" --mem=0
expect "--mem above 65536 is refused" 1 "^hello: invalid --mem value '70000': the maximum is 65536 MiB$" \
    "$hello" --mem=70000
expect "--mem=99999999999999999999999 is refused, not wrapped" 1 "the maximum is 65536 MiB" \
    "$hello" --mem=99999999999999999999999
expect "--mem without a value is refused" 1 "^hello: option '--mem' needs a value: --mem=MiB$" \
    "$hello" --mem
expect "an unknown option is refused" 1 "^hello: unknown option '--bogus' \(try --help\)$" \
    "$hello" --bogus
expect "device options are refused until devices exist" 1 \
    "^hello: device options are not supported yet: '--net:service=tap0'$" \
    "$hello" --net:service=tap0
expect "--mem=64 runs the unikernel" 0 '^Hello World$' "$hello" --mem=64
expect "arguments after -- reach the unikernel" 0 \
    '^errors: every code has the text of MIOU_ERRORS$' "$lister" --mem=16 -- --list
expect "--solo5:quiet is the unikernel's argument, not the tender's" 0 '^Hello World$' \
    "$hello" --solo5:quiet
