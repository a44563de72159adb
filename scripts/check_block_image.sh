#!/usr/bin/env bash
# The hosted tender's block devices, on disk images in a temporary folder:
# the block example reads what the host wrote (its FNV-1a checksums of
# blocks 0 and 1 are computed here too, from the same bytes), on 512 and
# 4096-byte sectors, and leaves the image as it found it (it writes the
# last block and puts it back); every image the tender cannot use is
# refused at start-up with one line naming the device, and exit status 1.
# No privileges needed. Prints one test line per case.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
check_begin block-image
build=${BUILD:-build/hosted}
prog=$build/examples/block

# FNV-1a, 64 bits, of (length) bytes of (file) from byte (offset), as 16
# hexadecimal digits: as examples/block.c computes it. Bash arithmetic is
# 64-bit and wraps, as the C code's uint64_t does.
fnv1a64() { # fnv1a64 FILE OFFSET LENGTH
    local h=$((0xcbf29ce484222325)) b
    for b in $(od -An -v -tu1 -j "$2" -N "$3" "$1"); do
        h=$(((h ^ b) * 0x100000001b3))
    done
    printf '%016x\n' "$h"
}

need_built "$prog"

# ---- The example on images of random bytes, both sector sizes (512 is
# the default, so it is not given).
for sector in 512 4096; do
    blocks=16
    img=$tmp/disk-$sector.img
    dd if=/dev/urandom of="$img" bs="$sector" count=$blocks status=none
    cp "$img" "$img.orig"
    opt=()
    [ $sector = 512 ] || opt=(--block-sector-size:storage=$sector)
    timeout -k 5 60 "$prog" --block:storage="$img" "${opt[@]}" \
        >"$tmp/out" 2>&1
    rc=$?
    name="$sector-byte sectors"
    if [ $rc -ne 0 ] || ! grep -q '^block: ok$' "$tmp/out"; then
        fail "$name: the example runs and says ok: exit status $rc: $(show "$tmp/out" 600)"
        continue
    fi
    ok "$name: the example runs and says ok"
    want="block: storage: $((sector * blocks)) bytes, $blocks blocks of $sector bytes"
    if grep -qxF "$want" "$tmp/out"; then
        ok "$name: capacity and block size are the image's"
    else
        fail "$name: capacity and block size are the image's: wanted '$want': $(show "$tmp/out")"
    fi
    for b in 0 1; do
        kind=atomic
        [ $b = 1 ] && kind=scheduled
        got=$(sed -n "s/^block: block $b ($kind read): fnv1a64 \([0-9a-f]*\)$/\1/p" "$tmp/out")
        host=$(fnv1a64 "$img.orig" $((b * sector)) "$sector")
        if [ "$got" = "$host" ]; then
            ok "$name: block $b ($kind read) has the checksum of the host's bytes"
        else
            fail "$name: block $b ($kind read) has the checksum of the host's bytes: example '$got', host '$host'"
        fi
    done
    last=$((blocks - 1))
    if grep -q "^block: block $last (the last one): wrote a pattern" "$tmp/out" &&
        grep -q "^block: block $last: old data put back$" "$tmp/out" &&
        cmp -s "$img" "$img.orig"; then
        ok "$name: the last block, written and put back, leaves the image as it was"
    else
        fail "$name: the last block, written and put back, leaves the image as it was: $(cmp "$img" "$img.orig" 2>&1 | head -n 1)"
    fi
done

# ---- Start-up errors (refused, in scripts/lib/check.sh): exit status 1,
# one line on standard error naming the device (and what is wrong),
# nothing on standard output.
runner=("$prog")
dev="^block: device 'storage': "
good=$tmp/good.img
dd if=/dev/zero of="$good" bs=4096 count=4 status=none

refused "a missing image is refused" \
    "${dev}Could not open block device '$tmp/missing.img' .*No such file" \
    --block:storage="$tmp/missing.img"
refused "an image in a folder that does not exist is refused" \
    "${dev}Could not open block device '$tmp/nodir/disk.img' .*No such file" \
    --block:storage="$tmp/nodir/disk.img"
mkdir "$tmp/folder.img"
refused "a folder given as the image is refused" \
    "${dev}Could not open block device '$tmp/folder.img' .*Is a directory" \
    --block:storage="$tmp/folder.img"
# An image the user may not open: root may open any file, so as root the
# case runs as nobody when setpriv can switch to it.
cp "$good" "$tmp/locked.img"
chmod 000 "$tmp/locked.img"
nobody=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
    chmod 755 "$tmp" &&
    setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$prog" 2>/dev/null; then
    nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
if [ "$(id -u)" = 0 ] && [ ${#nobody[@]} -eq 0 ]; then
    skip "an image the user may not open is refused" "root opens any file (and cannot become nobody)"
else
    runner=("${nobody[@]}" "$prog")
    refused "an image the user may not open (mode 000) is refused" \
        "${dev}Could not open block device '$tmp/locked.img' .*Permission denied" \
        --block:storage="$tmp/locked.img"
    runner=("$prog")
fi
: >"$tmp/empty.img"
refused "an empty image is refused" \
    "${dev}Backing storage must be at least 1 block \(512 bytes\) in size: '$tmp/empty.img' is empty" \
    --block:storage="$tmp/empty.img"
dd if=/dev/zero of="$tmp/odd.img" bs=1 count=$((512 * 3 + 100)) status=none
refused "an image of 1636 bytes (not a multiple of 512) is refused" \
    "${dev}Backing storage size must be block aligned \(512 bytes\): '$tmp/odd.img' has 1636 bytes" \
    --block:storage="$tmp/odd.img"
dd if=/dev/zero of="$tmp/small.img" bs=512 count=3 status=none
refused "an image of 3 x 512 bytes on 4096-byte sectors is refused" \
    "${dev}Backing storage size must be block aligned \(4096 bytes\): '$tmp/small.img' has 1536 bytes" \
    --block:storage="$tmp/small.img" --block-sector-size:storage=4096
refused "sector size 1000 is refused" "${dev}invalid sector size '1000': Block size must be a multiple of 2 greater than or equal 512" \
    --block:storage="$good" --block-sector-size:storage=1000
refused "sector size 256 is refused" "${dev}invalid sector size '256': Block size must be a multiple of 2 greater than or equal 512" \
    --block:storage="$good" --block-sector-size:storage=256
refused "sector size abc is refused" "${dev}invalid sector size 'abc': not a number" \
    --block:storage="$good" --block-sector-size:storage=abc
refused "a missing --block is refused, naming the option" \
    "${dev}declared as BLOCK_BASIC but not attached \(--block:storage=PATH\)"
refused "--block for an undeclared device is refused" \
    "^block: device 'nosuch': not declared in the unikernel's manifest" \
    --block:storage="$good" --block:nosuch="$good"
if cmp -s "$good" <(head -c 16384 /dev/zero); then
    ok "images refused at start-up are left untouched"
else
    fail "images refused at start-up are left untouched: $good changed"
fi
exit 0
