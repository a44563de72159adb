#!/usr/bin/env bash
# Our patches to lwIP, applied to a copy of Debian's source as the build
# fetched it (scripts/fetch_lwip.sh), the way Debian carries its own:
# the source stays as fetched, DEST is that source with the patches
# applied in order, and the build compiles DEST (mk/lwip.mk,
# scripts/fuzz_frames.sh).
#
#   scripts/patch_lwip.sh SRC DEST [PATCH...]
#
# The patches are src/tcpip/patches/lwip-VERSION/*.patch (that folder's
# README.md says what each does and why); each must apply exactly (no
# fuzz). DEST/.miou-patched names the source and each patch with its
# SHA-256: when it already names the same ones, nothing is done (its date
# is brought forward, for make); otherwise DEST is made again, in a
# folder of its own renamed into place, so that a failed run leaves no
# half-patched tree. Exit status 0 when DEST holds the patched source.
set -u
say() { echo "patch_lwip: $*" >&2; }
[ $# -ge 2 ] || {
    echo "usage: scripts/patch_lwip.sh SRC DEST [PATCH...]" >&2
    exit 2
}
src=$1 dest=$2
shift 2
[ -f "$src/.miou-fetched" ] || {
    say "no lwIP source in $src (scripts/fetch_lwip.sh fetches it)"
    exit 1
}
want=$(cat "$src/.miou-fetched") || exit 1
for p in "$@"; do
    sum=$(sha256sum <"$p" | cut -d' ' -f1) || exit 1
    want+=$'\n'"$(basename "$p") $sum"
done
if [ "$(cat "$dest/.miou-patched" 2>/dev/null)" = "$want" ]; then
    touch "$dest/.miou-patched"
    exit 0
fi
if [ $# -gt 0 ] && ! command -v patch >/dev/null 2>&1; then
    say "patch is not installed (Debian's package patch, which dpkg-dev brings)"
    exit 1
fi
parent=$(dirname "$dest")
mkdir -p "$parent" || exit 1
work=$(mktemp -d -p "$parent" patch.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
cp -a "$src/." "$work/" || exit 1
rm -f "$work/.miou-fetched"
for p in "$@"; do
    if ! patch -d "$work" -p1 --batch --forward --fuzz=0 --quiet \
        --no-backup-if-mismatch <"$p" >"$work.log" 2>&1; then
        sed 's/^/    /' "$work.log" >&2
        rm -f "$work.log"
        say "$p does not apply to $src"
        exit 1
    fi
done
rm -f "$work.log"
printf '%s\n' "$want" >"$work/.miou-patched" || exit 1
rm -rf "$dest"
mv "$work" "$dest" || exit 1
trap - EXIT
say "lwIP in $dest: $src with $# patch(es) of ours"
