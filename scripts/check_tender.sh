#!/usr/bin/env bash
# The hosted tender's command line, as a user meets it: every option, every
# bad value or unusable device answered by one clear line and exit status 1
# before the unikernel starts, devices that work, and the unikernel's own
# arguments passed through. Then the manifest tool (tools/miou-manifest),
# and, as root, TAP interfaces inside a network namespace made here (no
# traffic leaves it; it is deleted at the end). Prints one test line per
# case.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
check_begin tender
build=${BUILD:-build/hosted}
hello=$build/examples/hello
lister=$build/tests/test_errors
dev=$build/tests/hosted/test_tender_devices
tool=$build/tools/miou-manifest
chmod 755 "$tmp"

# expect NAME STATUS PATTERN COMMAND...: exit status and a line of output
# (stdout and stderr) matching the extended regular expression PATTERN.
expect() {
    local name=$1 want=$2 pattern=$3 rc
    shift 3
    timeout 30 "$@" >"$tmp/out" 2>&1
    rc=$?
    if [ $rc -ne "$want" ]; then
        fail "$name: exit status $rc, wanted $want: $(show "$tmp/out")"
    elif ! grep -qE -- "$pattern" "$tmp/out"; then
        fail "$name: no line matches '$pattern': $(show "$tmp/out")"
    else
        ok "$name"
    fi
}

# refuse NAME LINE COMMAND...: exit status 1, and the whole output is the
# one line LINE (on standard error, nothing on standard output): stricter
# than refused (scripts/lib/check.sh), whose line need only match a
# pattern.
refuse() {
    local name=$1 line=$2 rc
    shift 2
    timeout 30 "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -ne 1 ]; then
        fail "$name: exit status $rc, wanted 1: $(head -c 300 "$tmp/err" "$tmp/out" | tr '\n' '|')"
    elif [ -s "$tmp/out" ] || ! printf '%s\n' "$line" | cmp -s - "$tmp/err"; then
        fail "$name: wanted the one line '$line', got: $(show "$tmp/err")$(show "$tmp/out" 100)"
    else
        ok "$name"
    fi
}

if [ ! -x "$hello" ] || [ ! -x "$lister" ] || [ ! -x "$dev" ] || [ ! -x "$tool" ]; then
    fail "$hello, $lister, $dev and $tool are built"
    exit 0
fi

# ---- Options without devices.
expect "--help lists the options and exits 0" 0 '^  --mem=MiB ' "$hello" --help
expect "--help documents the unix backend" 0 '^  --net:NAME=unix:LOCAL,PEER ' "$hello" --help
expect "--help of a program without a manifest says it has no devices" 0 \
    '^This unikernel declares no devices\.$' "$hello" --help
expect "--help lists the devices of the manifest" 0 '^  BLOCK_BASIC  storage$' "$dev" --help
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
expect "--mem=64 runs the unikernel" 0 '^Hello World$' "$hello" --mem=64
expect "arguments after -- reach the unikernel" 0 \
    '^errors: every code has the text of MIOU_ERRORS$' "$lister" --mem=16 -- --list
expect "--solo5:quiet is the unikernel's argument, not the tender's" 0 '^Hello World$' \
    "$hello" --solo5:quiet
refuse "--mem given twice is refused" \
    "hello: heap size given twice ('--mem=16' and '--mem=32')" "$hello" --mem=16 --mem=32
refuse "--mem given twice with the same value is refused" \
    "hello: heap size given twice ('--mem=16' and '--mem=16')" "$hello" --mem=16 --mem=16
# The known --solo5: words are quiet, error, warn, info and debug; an
# unknown one used to be left on the command line, where it hid the
# --solo5: words after it.
solo5_words="(--solo5:quiet, :error, :warn, :info or :debug)"
refuse "an unknown --solo5: word is refused" \
    "hello: unknown option '--solo5:loud' $solo5_words" "$hello" --solo5:loud
refuse "an unknown --solo5: word after a known one is refused" \
    "hello: unknown option '--solo5:bogus' $solo5_words" \
    "$hello" --mem=16 -- --solo5:quiet --solo5:bogus --solo5:debug
refuse "an empty --solo5: word is refused" \
    "hello: unknown option '--solo5:' $solo5_words" "$hello" -- --solo5:
expect "a --solo5: word after the unikernel's first argument is the unikernel's" 0 \
    '^errors: every code has the text of MIOU_ERRORS$' "$lister" -- --solo5:quiet --list --solo5:loud
# Messages echo the command line with its control characters escaped:
# one line whatever an argument holds.
refuse "an unknown option holding a newline is shown on one line" \
    "hello: unknown option '--bo\ngus' (try --help)" "$hello" $'--bo\ngus'
refuse "a --mem value holding a newline is shown on one line" \
    "hello: invalid --mem value '1\n2': not a whole number of MiB" "$hello" $'--mem=1\n2'
refuse "an unknown --solo5: word holding an escape is shown on one line, escaped" \
    "hello: unknown option '--solo5:\x1b[31m\rx' $solo5_words" "$hello" $'--solo5:\e[31m\rx'

# ---- Device options. test_tender_devices declares NET_BASIC service,
# NET_BASIC backup and BLOCK_BASIC storage.
d=test_tender_devices
svc="--net:service=unix:$tmp/service.sock,$tmp/service.peer"
bak="--net:backup=unix:$tmp/backup.sock,$tmp/backup.peer"
img=$tmp/disk.img
blk="--block:storage=$img"
peers=(--dir="$tmp" --peer-service=unix --peer-backup=unix)
truncate -s 64K "$img"
truncate -s 0 "$tmp/empty.img"
truncate -s 1000 "$tmp/odd.img"
truncate -s 6144 "$tmp/6k.img"
mkfifo "$tmp/fifo"
echo data >"$tmp/file"

refuse "a program without a manifest refuses a device" \
    "hello: device 'service': not declared in the unikernel's manifest (option '--net:service=tap0')" \
    "$hello" --net:service=tap0
refuse "a declared device left unattached stops the program" \
    "$d: device 'service': declared as NET_BASIC but not attached (--net:service=IFACE)" \
    "$dev" --mem=16
refuse "a block device left unattached stops the program" \
    "$d: device 'storage': declared as BLOCK_BASIC but not attached (--block:storage=PATH)" \
    "$dev" "$svc" "$bak"
refuse "an undeclared device is refused" \
    "$d: device 'nosuch': not declared in the unikernel's manifest (option '--net:nosuch=tap0')" \
    "$dev" --net:nosuch=tap0
refuse "--block for a net device is refused" \
    "$d: device 'service': declared as NET_BASIC, so option '--block:service=$img' does not apply (--net:service=IFACE)" \
    "$dev" "--block:service=$img"
refuse "--net for a block device is refused" \
    "$d: device 'storage': declared as BLOCK_BASIC, so option '--net:storage=tap0' does not apply (--block:storage=PATH)" \
    "$dev" --net:storage=tap0
refuse "a device attached twice is refused" \
    "$d: device 'service': attached twice ('--net:service=a' and '--net:service=b')" \
    "$dev" --net:service=a --net:service=b
refuse "--net without a device is refused" \
    "$d: option '--net' names no device (--net:NAME=IFACE)" "$dev" --net
refuse "--net:=IFACE is refused" \
    "$d: option '--net:=tap0' names no device (--net:NAME=IFACE)" "$dev" --net:=tap0
refuse "--net:NAME without a value is refused" \
    "$d: device 'service': option '--net:service' needs a value (--net:service=IFACE)" \
    "$dev" --net:service
refuse "--net:NAME= is refused" \
    "$d: device 'service': option '--net:service=' gives no interface" "$dev" --net:service=
refuse "--block:NAME= is refused" \
    "$d: device 'storage': option '--block:storage=' gives no file" "$dev" --block:storage=
refuse "a MAC address that is not xx:xx:xx:xx:xx:xx is refused" \
    "$d: device 'service': invalid MAC address '02:00:00:00:00' (xx:xx:xx:xx:xx:xx, in hexadecimal)" \
    "$dev" --net-mac:service=02:00:00:00:00
refuse "a MAC address with a non-hexadecimal digit is refused" \
    "$d: device 'service': invalid MAC address '02:00:00:00:00:0g' (xx:xx:xx:xx:xx:xx, in hexadecimal)" \
    "$dev" --net-mac:service=02:00:00:00:00:0g
refuse "a multicast MAC address is refused" \
    "$d: device 'service': MAC address '01:00:5e:00:00:01' is a multicast address" \
    "$dev" --net-mac:service=01:00:5e:00:00:01
refuse "--net-mac for a block device is refused" \
    "$d: device 'storage': declared as BLOCK_BASIC, so option '--net-mac:storage=02:00:00:00:00:01' does not apply (--block:storage=PATH)" \
    "$dev" --net-mac:storage=02:00:00:00:00:01
refuse "--net-mac for an undeclared device is refused" \
    "$d: device 'nosuch': not declared in the unikernel's manifest (option '--net-mac:nosuch=02:00:00:00:00:01')" \
    "$dev" --net-mac:nosuch=02:00:00:00:00:01
refuse "--net-mac given twice is refused" \
    "$d: device 'service': MAC address given twice ('--net-mac:service=02:00:00:00:00:01' and '--net-mac:service=02:00:00:00:00:02')" \
    "$dev" --net-mac:service=02:00:00:00:00:01 --net-mac:service=02:00:00:00:00:02
refuse "a sector size that is not a number is refused" \
    "$d: device 'storage': invalid sector size 'abc': not a number" \
    "$dev" --block-sector-size:storage=abc
refuse "a sector size that is not a power of two is refused, in Solo5's words" \
    "$d: device 'storage': invalid sector size '1000': Block size must be a multiple of 2 greater than or equal 512" \
    "$dev" --block-sector-size:storage=1000
refuse "a sector size below 512 is refused, in Solo5's words" \
    "$d: device 'storage': invalid sector size '256': Block size must be a multiple of 2 greater than or equal 512" \
    "$dev" --block-sector-size:storage=256
refuse "a huge sector size is refused, not wrapped" \
    "$d: device 'storage': invalid sector size '18446744073709551616': above 1048576" \
    "$dev" --block-sector-size:storage=18446744073709551616
refuse "--block-sector-size for a net device is refused" \
    "$d: device 'service': declared as NET_BASIC, so option '--block-sector-size:service=512' does not apply (--net:service=IFACE)" \
    "$dev" --block-sector-size:service=512
refuse "--block-sector-size given twice is refused" \
    "$d: device 'storage': sector size given twice ('--block-sector-size:storage=512' and '--block-sector-size:storage=4096')" \
    "$dev" --block-sector-size:storage=512 --block-sector-size:storage=4096
refuse "--block given twice is refused" \
    "$d: device 'storage': attached twice ('--block:storage=$img' and '--block:storage=$img')" \
    "$dev" "$blk" "$blk"
refuse "a device name holding a newline is shown on one line" \
    "$d: device 'a\nb': not declared in the unikernel's manifest (option '--net:a\nb=x')" \
    "$dev" $'--net:a\nb=x'
refuse "--net:NAME holding a newline without a value is shown on one line" \
    "$d: device 'a\nb': option '--net:a\nb' needs a value (--net:a\nb=IFACE)" \
    "$dev" $'--net:a\nb'
refuse "a MAC address holding a carriage return is shown on one line" \
    "$d: device 'service': invalid MAC address '02:00:00:00:00:01\r' (xx:xx:xx:xx:xx:xx, in hexadecimal)" \
    "$dev" $'--net-mac:service=02:00:00:00:00:01\r'

# ---- Disk images.
refuse "a missing disk image is refused" \
    "$d: device 'storage': Could not open block device '$tmp/missing.img' for reading and writing: No such file or directory" \
    "$dev" "$svc" "$bak" "--block:storage=$tmp/missing.img"
refuse "a missing disk image whose path holds a newline is shown on one line" \
    "$d: device 'storage': Could not open block device '$tmp/new\nline.img' for reading and writing: No such file or directory" \
    "$dev" "$svc" "$bak" "--block:storage=$tmp/new"$'\n'"line.img"
refuse "a folder is no disk image" \
    "$d: device 'storage': Could not open block device '$tmp' for reading and writing: Is a directory" \
    "$dev" "$svc" "$bak" "--block:storage=$tmp"
refuse "a character device is no disk image" \
    "$d: device 'storage': '/dev/null' is not a regular file or a block device" \
    "$dev" "$svc" "$bak" --block:storage=/dev/null
refuse "a FIFO is no disk image" \
    "$d: device 'storage': '$tmp/fifo' is not a regular file or a block device" \
    "$dev" "$svc" "$bak" "--block:storage=$tmp/fifo"
refuse "an empty disk image is refused, in Solo5's words" \
    "$d: device 'storage': Backing storage must be at least 1 block (512 bytes) in size: '$tmp/empty.img' is empty" \
    "$dev" "$svc" "$bak" "--block:storage=$tmp/empty.img"
refuse "a disk image of a partial sector is refused, in Solo5's words" \
    "$d: device 'storage': Backing storage size must be block aligned (512 bytes): '$tmp/odd.img' has 1000 bytes" \
    "$dev" "$svc" "$bak" "--block:storage=$tmp/odd.img"
refuse "a disk image of 6144 bytes is refused with 4096-byte sectors" \
    "$d: device 'storage': Backing storage size must be block aligned (4096 bytes): '$tmp/6k.img' has 6144 bytes" \
    "$dev" "$svc" "$bak" "--block:storage=$tmp/6k.img" --block-sector-size:storage=4096
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
    # Root may write any file: a read-only mount, in a mount namespace of
    # this command only, shows the refusal.
    mkdir "$tmp/ro" && cp "$img" "$tmp/ro/disk.img"
    # shellcheck disable=SC2016 # expanded by the inner shell
    refuse "a disk image that cannot be written is refused" \
        "$d: device 'storage': Could not open block device '$tmp/ro/disk.img' for reading and writing: Read-only file system" \
        unshare -m sh -c 'mount --bind -o ro "$1" "$1" && exec "$2" "$3" "$4" "$5"' sh \
        "$tmp/ro" "$dev" "$svc" "$bak" "--block:storage=$tmp/ro/disk.img"
else
    skip "a disk image that cannot be written is refused" "needs root and unshare"
fi
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
    "${nobody[@]}" test -x "$dev"; then
    # As an ordinary user, whose sockets go to a folder open to all.
    mkdir -m 1777 "$tmp/pub"
    cp "$img" "$tmp/private.img" && chmod 600 "$tmp/private.img"
    refuse "a disk image its user may not open is refused" \
        "$d: device 'storage': Could not open block device '$tmp/private.img' for reading and writing: Permission denied" \
        "${nobody[@]}" "$dev" \
        "--net:service=unix:$tmp/pub/s,$tmp/pub/p" "--net:backup=unix:$tmp/pub/b,$tmp/pub/p" \
        "--block:storage=$tmp/private.img"
else
    skip "a disk image its user may not open is refused" "needs root, setpriv, and $dev open to all"
fi

# ---- Descriptors and the unix backend.
refuse "@NN of a descriptor that is not open is refused" \
    "$d: device 'service': file descriptor 99 is not open" \
    "$dev" --net:service=@99 "$bak" "$blk"
refuse "@NN that is no number is refused" \
    "$d: device 'service': invalid file descriptor '@x1' (@NN)" \
    "$dev" --net:service=@x1 "$bak" "$blk"
refuse "@NN of a plain file is refused" \
    "$d: device 'service': file descriptor 7 is neither a TAP descriptor nor a datagram socket" \
    "$dev" --net:service=@7 "$bak" "$blk" 7<"$tmp/file"
refuse "unix: without a comma is refused" \
    "$d: device 'service': invalid unix backend 'unix:$tmp/a' (unix:LOCAL,PEER)" \
    "$dev" "--net:service=unix:$tmp/a" "$bak" "$blk"
refuse "unix: without PEER is refused" \
    "$d: device 'service': invalid unix backend 'unix:$tmp/a,' (unix:LOCAL,PEER)" \
    "$dev" "--net:service=unix:$tmp/a," "$bak" "$blk"
long=$tmp/$(printf 'x%.0s' $(seq 1 120))
refuse "a socket path longer than sun_path is refused" \
    "$d: device 'service': socket path too long in 'unix:$long,$tmp/p' (at most 107 bytes each)" \
    "$dev" "--net:service=unix:$long,$tmp/p" "$bak" "$blk"
refuse "a LOCAL that is no socket is refused" \
    "$d: device 'service': '$tmp/file' exists and is not a socket" \
    "$dev" "--net:service=unix:$tmp/file,$tmp/p" "$bak" "$blk"
refuse "a LOCAL in a missing folder is refused" \
    "$d: device 'service': cannot bind socket '$tmp/nodir/s': No such file or directory" \
    "$dev" "--net:service=unix:$tmp/nodir/s,$tmp/p" "$bak" "$blk"
refuse "two devices on one LOCAL are refused" \
    "$d: device 'backup': socket '$tmp/service.sock' is in use by another program" \
    "$dev" "$svc" "--net:backup=unix:$tmp/service.sock,$tmp/p" "$blk"
# A live unikernel on a socket: this one waits 5 s for an ARP request that
# never comes, then fails; it is killed long before.
"$dev" "--net:service=unix:$tmp/live.sock,$tmp/p" "$bak" "$blk" -- --arp=yes ARP \
    >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do [ -S "$tmp/live.sock" ] && break; sleep 0.1; done
refuse "a LOCAL that a live program listens on is refused" \
    "$d: device 'service': socket '$tmp/live.sock' is in use by another program" \
    "$dev" "--net:service=unix:$tmp/live.sock,$tmp/p" "--net:backup=unix:$tmp/b2,$tmp/p" "$blk"
# Killed, it leaves its socket file behind: the next program replaces it.
stop 0 KILL
if [ -S "$tmp/live.sock" ]; then
    expect "a socket left by a killed program is replaced" 0 '^# tender_devices: [0-9]+ passed, 0 failed' \
        "$dev" "--net:service=unix:$tmp/live.sock,$tmp/p" "$bak" "$blk" -- "handles are"
else
    fail "a killed program leaves its socket file: $tmp/live.sock is gone"
fi

# ---- Devices that work: the whole test program, 512- and 4096-byte
# sectors, options in any order.
expect "unix backends and a 512-byte disk pass every case" 0 \
    '^# tender_devices: 1[0-9] passed, 0 failed, 0 skipped$' \
    "$dev" "$svc" "$bak" "$blk" -- "${peers[@]}"
if [ -e "$tmp/service.sock" ] || [ -e "$tmp/backup.sock" ]; then
    fail "the unix backend removes its sockets at exit"
else
    ok "the unix backend removes its sockets at exit"
fi
expect "a 4096-byte sector size set before its device passes every case" 0 \
    '^# tender_devices: 1[0-9] passed, 0 failed, 0 skipped$' \
    "$dev" --block-sector-size:storage=4096 "$svc" "$bak" "$blk" -- "${peers[@]}" --sector=4096
expect "--net-mac before its device gives that address" 0 \
    '^# tender_devices: 1[0-9] passed, 0 failed, 0 skipped$' \
    "$dev" --net-mac:service=02:aa:bb:cc:dd:ee "$svc" "$bak" "$blk" -- "${peers[@]}" \
    --mac=02:aa:bb:cc:dd:ee
expect "--net-mac accepts upper-case digits" 0 '^# tender_devices: 1 passed, 0 failed' \
    "$dev" "$svc" --net-mac:service=02:AA:BB:CC:DD:EF "$bak" "$blk" -- "${peers[@]}" \
    --mac=02:aa:bb:cc:dd:ef "made-up MACs"
if [ "$(id -u)" -eq 0 ] && loop=$(losetup -f --show "$img" 2>/dev/null); then
    expect "a block device node is a disk" 0 '^# tender_devices: 1 passed, 0 failed' \
        "$dev" "$svc" "$bak" "--block:storage=$loop" -- "written at the start"
    losetup -d "$loop"
else
    skip "a block device node is a disk" "needs root and a free loop device"
fi

# ---- The manifest tool.
topic=manifest
manifest_ok() { # manifest_ok NAME SOURCE EXPECTED-ENTRIES...
    local name=$1 src=$2 got want
    shift 2
    rm -f "$tmp/m.c"
    if ! "$tool" "$src" "$tmp/m.c" >"$tmp/out" 2>&1; then
        fail "$name: $(head -c 200 "$tmp/out")"
        return
    fi
    got=$(sed -n 's/^    "\(.*\)",$/\1/p' "$tmp/m.c" | tr '\n' '|')
    want=
    [ $# -eq 0 ] || want=$(printf '%s|' "$@")
    if [ "$got" != "$want" ]; then
        fail "$name: entries '$got', wanted '$want'"
    elif ! grep -q 'do not edit' "$tmp/m.c" ||
        ! grep -q '^const char \*const miou_hosted_manifest\[\] = {$' "$tmp/m.c" ||
        ! grep -q '^    NULL,$' "$tmp/m.c"; then
        fail "$name: unexpected C: $(show "$tmp/m.c")"
    elif ! cc -std=c11 -Wall -Wextra -Werror -c "$tmp/m.c" -o "$tmp/m.o" 2>"$tmp/out"; then
        fail "$name: the C does not compile: $(head -c 200 "$tmp/out")"
    else
        ok "$name"
    fi
}
# manifest_bad NAME LINE JSON: exit status 1, the one line
# "miou-manifest: FILE:LINE: ...", and no output file, within 5 s.
manifest_bad() {
    local name=$1 want=$2 rc
    printf '%s' "$3" >"$tmp/bad.json"
    rm -f "$tmp/bad.c"
    timeout 5 "$tool" "$tmp/bad.json" "$tmp/bad.c" >"$tmp/out" 2>&1
    rc=$?
    if [ $rc -ne 1 ]; then
        fail "$name: exit status $rc, wanted 1: $(head -c 200 "$tmp/out")"
    elif ! printf 'miou-manifest: %s\n' "$tmp/bad.json:$want" | cmp -s - "$tmp/out"; then
        fail "$name: wanted 'miou-manifest: $tmp/bad.json:$want', got '$(head -c 200 "$tmp/out" | tr '\n' '|')'"
    elif [ -e "$tmp/bad.c" ] || ls "$tmp"/bad.c.* >/dev/null 2>&1; then
        fail "$name: an output file was left"
    else
        ok "$name"
    fi
}
manifest_ok "devices in declaration order, TYPE NAME" tests/tender/two-devices.json \
    "NET_BASIC service" "BLOCK_BASIC storage"
manifest_ok "no devices gives an empty list" tests/tender/no-devices.json
manifest_ok "escapes, CRLF, tabs and any key order" tests/tender/every-json-form.json \
    "NET_BASIC eth0" "BLOCK_BASIC disk0"
max='{"type":"solo5.manifest","version":1,"devices":['
names=()
for i in $(seq 1 63); do
    max="$max{\"name\":\"d$i\",\"type\":\"NET_BASIC\"},"
    names+=("NET_BASIC d$i")
done
printf '%s' "${max%,}]}" >"$tmp/max.json"
manifest_ok "63 devices, Solo5's maximum" "$tmp/max.json" "${names[@]}"
n67=$(printf 'a%.0s' $(seq 1 67))
printf '{"type":"solo5.manifest","version":1,"devices":[{"name":"%s","type":"BLOCK_BASIC"}]}' \
    "$n67" >"$tmp/n67.json"
manifest_ok "a name of 67 characters" "$tmp/n67.json" "BLOCK_BASIC $n67"

H='"type": "solo5.manifest", "version": 1'
manifest_bad "more than 63 devices" \
    "1: more than 63 devices" "${max%,}, {\"name\":\"d64\",\"type\":\"NET_BASIC\"}]}"
manifest_bad "a name of 68 characters" \
    "1: device name \"${n67}a\" is longer than 67 characters" \
    "{$H, \"devices\": [{\"name\": \"${n67}a\", \"type\": \"NET_BASIC\"}]}"
manifest_bad "a root that is no object" "1: the manifest must be an object, not an array" '[]'
manifest_bad "a wrong type" \
    "1: \"type\" must be \"solo5.manifest\", not \"solo5\"" \
    '{"type": "solo5", "version": 1, "devices": []}'
manifest_bad "version 2" "2: unsupported version 2 (only 1)" \
    $'{"type": "solo5.manifest",\n "version": 2, "devices": []}'
manifest_bad "a version that is no integer" \
    "1: \"version\" must be an integer, not a number" \
    '{"type": "solo5.manifest", "version": 1.0, "devices": []}'
manifest_bad "a version in a string" \
    "1: \"version\" must be an integer, not a string" \
    '{"type": "solo5.manifest", "version": "1", "devices": []}'
manifest_bad "an unknown key" \
    "3: unknown key \"mtu\" (only \"type\", \"version\" and \"devices\")" \
    $'{\n'"$H"$', "devices": [],\n "mtu": 1500}'
manifest_bad "a missing key" "1: the manifest has no \"devices\"" "{$H}"
manifest_bad "devices that are no array" "1: \"devices\" must be an array, not an object" \
    "{$H, \"devices\": {}}"
manifest_bad "a device that is no object" "1: a device must be an object, not a string" \
    "{$H, \"devices\": [\"service\"]}"
manifest_bad "an unknown key in a device" \
    "1: unknown key \"mac\" in a device (only \"name\" and \"type\")" \
    "{$H, \"devices\": [{\"name\": \"a\", \"type\": \"NET_BASIC\", \"mac\": \"x\"}]}"
manifest_bad "a device without a name" "1: a device has no \"name\"" \
    "{$H, \"devices\": [{\"type\": \"NET_BASIC\"}]}"
manifest_bad "an empty name" "1: a device name cannot be empty" \
    "{$H, \"devices\": [{\"name\": \"\", \"type\": \"NET_BASIC\"}]}"
manifest_bad "a name with a dash" \
    "1: device name \"my-net\" may hold only ASCII letters and digits" \
    "{$H, \"devices\": [{\"name\": \"my-net\", \"type\": \"NET_BASIC\"}]}"
manifest_bad "a name that is not ASCII" \
    "1: device name \"n??t\" may hold only ASCII letters and digits" \
    "{$H, \"devices\": [{\"name\": \"n\\u00e9t\", \"type\": \"NET_BASIC\"}]}"
manifest_bad "an unknown device type" \
    "1: device \"a\": unknown type \"NET\" (NET_BASIC or BLOCK_BASIC)" \
    "{$H, \"devices\": [{\"name\": \"a\", \"type\": \"NET\"}]}"
manifest_bad "a name declared twice" \
    "3: device name \"a\" is declared twice (first at line 2)" \
    $'{'"$H"$', "devices": [\n{"name": "a", "type": "NET_BASIC"},\n{"name": "a", "type": "BLOCK_BASIC"}]}'
manifest_bad "a key given twice" "1: key \"version\" appears twice in an object" \
    "{$H, \"version\": 1, \"devices\": []}"
manifest_bad "a key given twice that holds a newline is shown on one line" \
    "1: key \"a?b\" appears twice in an object" '{"a\nb": 1, "a\nb": 2}'
manifest_bad "a key given twice after 80000 others is found in linear time" \
    "1: key \"k1\" appears twice in an object" \
    "{\"devices\": {$(seq -f '"k%g": 0,' 1 80000 | tr -d '\n') \"k1\": 1}}"
manifest_bad "a trailing comma" "1: expected a key (a string), found '}'" \
    "{$H, \"devices\": [],}"
manifest_bad "text after the manifest" "2: 'x' after the manifest's end" \
    $'{'"$H"$', "devices": []}\nx'
manifest_bad "an unclosed string" "1: string not closed before the end of the file" \
    '{"type": "solo5.manifest'
manifest_bad "a bad escape" "1: invalid escape '\\x' in a string" \
    '{"type": "solo5\x", "version": 1, "devices": []}'
manifest_bad "a lone surrogate" "1: \\ud800 is half of a surrogate pair" \
    '{"type": "\ud800", "version": 1, "devices": []}'
manifest_bad "a raw control character in a string" \
    "1: control character (byte 0x09) in a string; write it as an escape" \
    $'{"type": "solo5\t", "version": 1, "devices": []}'
manifest_bad "a leading zero" "1: a number cannot start with 0" \
    '{"type": "solo5.manifest", "version": 01, "devices": []}'
manifest_bad "an integer too large" "1: integer 99999999999999999999 is too large" \
    '{"type": "solo5.manifest", "version": 99999999999999999999, "devices": []}'
manifest_bad "a bare word" "1: expected a value, found 'y'" \
    '{"type": "solo5.manifest", "version": yes, "devices": []}'
manifest_bad "an empty file" "1: expected a value, found the end of the file" ''
manifest_bad "values nested too deep" "1: values nested more than 32 deep" \
    "{$H, \"devices\": [$(printf '[%.0s' $(seq 1 40))]}"
"$tool" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -qx 'usage: miou-manifest SOURCE.json OUTPUT.c' "$tmp/out"; then
    ok "wrong usage prints the usage and exits 2"
else
    fail "wrong usage: exit status $rc: $(head -c 200 "$tmp/out")"
fi
"$tool" "$tmp/missing.json" "$tmp/m.c" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -qx "miou-manifest: $tmp/missing.json: cannot open: No such file or directory" "$tmp/out"; then
    ok "a missing source is one line and exit status 1"
else
    fail "a missing source: exit status $rc: $(head -c 200 "$tmp/out")"
fi

# ---- TAP interfaces, in a network namespace of our own (miou-tender-PID,
# deleted by the clean-up). IPv6 is off on them, so that the kernel sends
# nothing on its own.
topic=tender
if [ "$(id -u)" -ne 0 ]; then
    skip "TAP interfaces in a network namespace" "not root"
    exit 0
fi
if ! make_netns "miou-tender-$$"; then
    skip "TAP interfaces in a network namespace" "ip netns add: $(head -c 200 "$tmp/err")"
    exit 0
fi
nsx=(ip netns exec "$ns")
for t in miou0 miou1; do
    in_ns ip tuntap add "$t" mode tap &&
        in_ns sysctl -qw "net.ipv6.conf.$t.disable_ipv6=1"
done
in_ns ip tuntap add miou2 mode tun
in_ns ip link set miou0 mtu 1400 up
in_ns ip link set miou2 up
refuse "TAP: a name longer than IFNAMSIZ is refused" \
    "$d: device 'service': interface name 'abcdefghijklmnop' is too long (at most 15 characters)" \
    "${nsx[@]}" "$dev" --net:service=abcdefghijklmnop "$bak" "$blk"
refuse "TAP: a missing interface is refused, not created" \
    "$d: device 'service': no network interface 'miou9' (create it first: ip tuntap add miou9 mode tap)" \
    "${nsx[@]}" "$dev" --net:service=miou9 "$bak" "$blk"
if in_ns ip link show miou9 >/dev/null 2>&1; then
    fail "TAP: the missing interface was created"
else
    ok "TAP: the missing interface was not created"
fi
refuse "TAP: an interface that is down is refused" \
    "$d: device 'service': interface 'miou1' is down (ip link set miou1 up)" \
    "${nsx[@]}" "$dev" --net:service=miou1 "$bak" "$blk"
in_ns ip link set lo up
refuse "TAP: an interface that is no TAP is refused" \
    "$d: device 'service': cannot attach interface 'lo': not a TAP interface" \
    "${nsx[@]}" "$dev" --net:service=lo "$bak" "$blk"
refuse "TAP: a TUN interface is refused" \
    "$d: device 'service': cannot attach interface 'miou2': not a TAP interface" \
    "${nsx[@]}" "$dev" --net:service=miou2 "$bak" "$blk"
refuse "TAP: an interface already in use is refused" \
    "$d: device 'backup': cannot attach interface 'miou0': busy (another program has it open)" \
    "${nsx[@]}" "$dev" --net:service=miou0 --net:backup=miou0 "$blk"
refuse "TAP: /dev/net/tun missing is reported" \
    "$d: device 'service': cannot open /dev/net/tun: No such file or directory" \
    "${nsx[@]}" unshare -m sh -c 'mount -t tmpfs none /dev/net && exec "$@"' sh \
    "$dev" --net:service=miou0 "$bak" "$blk"
expect "TAP: acquired with the interface's MTU, every case passes" 0 \
    '^# tender_devices: 1[0-9] passed, 0 failed, 0 skipped$' \
    "${nsx[@]}" "$dev" --net:service=miou0 "$bak" "$blk" -- --dir="$tmp" --peer-backup=unix --mtu=1400
# The kernel looks for 10.77.0.2 with ARP requests, out of the TAP (ping
# in the background: ip netns exec, not in_ns, so that $pid is ping's).
in_ns ip addr add 10.77.0.1/24 dev miou0
"${nsx[@]}" ping -q -c 40 -i 0.2 -W 1 10.77.0.2 >/dev/null 2>&1 &
pid=$!
expect "TAP: frames from the kernel (ARP requests) are read" 0 \
    '^# tender_devices: 1 passed, 0 failed, 0 skipped$' \
    "${nsx[@]}" "$dev" --net:service=miou0 "$bak" "$blk" -- --mtu=1400 --arp=yes ARP
stop 0
