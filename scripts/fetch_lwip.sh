#!/usr/bin/env bash
# Obtain lwIP's source for the build (mk/lwip.mk): Debian's source package
# lwip 2.1.3, through apt-get source, which checks it against the
# archive's signed index, unpacked with Debian's patches into DEST
# (build/lwip/src by default). Nothing of lwIP is ever committed.
#
#   scripts/fetch_lwip.sh [DEST]
#
# A copy already in DEST is used as it is (the build's cache). When the
# machine has no deb-src entry, one is added in a file of its own,
# /etc/apt/sources.list.d/miou-solo5-deb-src.sources, made from the
# machine's own deb entries (same archives, same keys); only as root.
# Without network and without a copy, it stops with a message saying what
# is missing. Exit status 0 when DEST holds the source.
set -u
dest=${1:-build/lwip/src}
version=2.1.3
marker=$dest/.miou-fetched

say() { echo "fetch_lwip: $*" >&2; }
die() {
    say "$*"
    say "lwIP $version's source is missing: the TCP/IP stack, its examples and tests cannot be built."
    say "Give this machine network access to its Debian archive (and run as root once, to add a deb-src entry), or unpack Debian's lwip $version source package into $dest."
    exit 1
}

[ -e "$marker" ] && exit 0

command -v apt-get >/dev/null 2>&1 || die "apt-get is not available (not a Debian system?)"

# dpkg-source unpacks the package; it comes with dpkg-dev.
if ! command -v dpkg-source >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || die "dpkg-source (package dpkg-dev) is missing and only root can install it"
    say "installing dpkg-dev (for dpkg-source)"
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq \
        --no-install-recommends dpkg-dev >/dev/null 2>&1 ||
        die "could not install dpkg-dev"
fi

# A deb-src entry: in the deb822 files (Types: ... deb-src) or the
# one-line ones (deb-src ...).
has_deb_src() {
    grep -rqsE '^[[:space:]]*Types:.*deb-src|^[[:space:]]*deb-src[[:space:]]' \
        /etc/apt/sources.list /etc/apt/sources.list.d/
}

# Make the deb-src entries from the machine's deb entries, into a file of
# our own: the same archives, suites, components and keys.
add_deb_src() {
    local file=/etc/apt/sources.list.d/miou-solo5-deb-src.sources f tmp
    tmp=$(mktemp)
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -e "$f" ] || continue
        # Each stanza of type deb, re-typed deb-src.
        awk 'BEGIN { RS = ""; ORS = "\n\n" }
             /(^|\n)Types:[^\n]*(^|[ \t])deb([ \t]|\n|$)/ {
                 sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f" >>"$tmp"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -e "$f" ] || continue
        # One-line entries: "deb [options] URI suite components".
        sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$tmp.list"
    done
    if [ -s "$tmp" ]; then
        install -m 644 "$tmp" "$file"
    fi
    if [ -s "$tmp.list" ]; then
        install -m 644 "$tmp.list" /etc/apt/sources.list.d/miou-solo5-deb-src.list
    fi
    rm -f "$tmp" "$tmp.list"
    [ -e "$file" ] || [ -e /etc/apt/sources.list.d/miou-solo5-deb-src.list ]
}

if ! has_deb_src; then
    [ "$(id -u)" = 0 ] || die "this machine has no deb-src entry in its APT sources, and only root can add one"
    add_deb_src || die "could not make a deb-src entry from this machine's APT sources"
    say "added a deb-src entry (/etc/apt/sources.list.d/miou-solo5-deb-src.*)"
    timeout 900 apt-get update -qq >/dev/null 2>&1 || die "apt-get update failed (no network?)"
fi

parent=$(dirname "$dest")
mkdir -p "$parent" || die "cannot make $parent"
work=$(mktemp -d -p "$parent" fetch.XXXXXX) || die "cannot make a folder in $parent"
trap 'rm -rf "$work"' EXIT
# The version asked for by name: a deb-src entry of a newer suite (the
# TLS layer's fetch adds trixie's) would otherwise give its newer lwIP.
pkg=lwip
ver=$(apt-cache showsrc lwip 2>/dev/null | sed -n "s/^Version: \($version.*\)/\1/p" | head -n 1)
[ -z "$ver" ] || pkg="lwip=$ver"
# apt-get as root downloads outside its sandbox: it says so; that is all.
if ! (cd "$work" && timeout 900 apt-get source -qq "$pkg" >log 2>&1); then
    # A stale index (deb-src added long ago) is refreshed once.
    if [ "$(id -u)" = 0 ] && timeout 900 apt-get update -qq >/dev/null 2>&1 &&
        (cd "$work" && timeout 900 apt-get source -qq "$pkg" >log 2>&1); then
        :
    else
        sed 's/^/    /' "$work/log" >&2
        die "apt-get source lwip failed (no network, or no such package in this archive?)"
    fi
fi
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "lwip-$version*" | head -n 1)
[ -n "$src" ] && [ -f "$src/src/core/tcp.c" ] ||
    die "apt-get source lwip did not give lwIP $version (got: $(ls "$work" | tr '\n' ' '))"
rm -rf "$dest"
mv "$src" "$dest" || die "cannot move the source into $dest"
echo "lwip $version, Debian source package $(basename "$(ls "$work"/*.dsc)" .dsc)" >"$marker"
say "lwIP $version unpacked into $dest"
