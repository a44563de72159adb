#!/usr/bin/env bash
# Obtain lwIP's source for the build (mk/lwip.mk): Debian's source package
# lwip of the version and suite that mk/lwip.source names, through apt-get
# source, which checks it against the archive's signed index, unpacked
# with Debian's patches into DEST (build/lwip-VERSION/src by default).
# Nothing of lwIP is ever committed.
#
#   scripts/fetch_lwip.sh [VERSION [DEST]]
#
# VERSION defaults to mk/lwip.source's first entry. A copy already in
# DEST is used as it is (the build's cache). When the machine has no
# deb-src entry for the suite, one is added in a file of its own (as
# root): for the machine's own suites, made from its deb entries (same
# archives, same keys), /etc/apt/sources.list.d/miou-solo5-deb-src.*;
# for another suite (trixie on a bookworm machine), an entry for that
# suite alone, deb-src only (no binary package can come from it), signed
# by Debian's archive keyring, /etc/apt/sources.list.d/
# miou-solo5-deb-src-SUITE.sources. Without network and without a copy,
# it stops with a message saying what is missing. Exit status 0 when
# DEST holds the source.
set -u
cd "$(dirname "$0")/.." || exit 1
say() { echo "fetch_lwip: $*" >&2; }

# The entries of mk/lwip.source: "VERSION SUITE", comments left out.
entries() { sed -e 's/#.*//' mk/lwip.source | awk 'NF >= 2 { print $1, $2 }'; }
version=${1:-$(entries | awk 'NR == 1 { print $1 }')}
suite=$(entries | awk -v v="$version" '$1 == v { print $2; exit }')
dest=${2:-build/lwip-$version/src}
marker=$dest/.miou-fetched

die() {
    say "$*"
    say "lwIP $version's source is missing: the TCP/IP stack, its examples and tests cannot be built."
    say "Give this machine network access to its Debian archive (and run as root once, to add a deb-src entry for $suite), or unpack Debian's lwip $version source package into $dest."
    exit 1
}

[ -n "$suite" ] || {
    say "lwIP $version is not in mk/lwip.source (its entries: $(entries | tr '\n' ';'))"
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

sources=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)

# has_entry TYPE SUITE: whether an APT entry of TYPE (deb or deb-src)
# names SUITE: a deb822 stanza whose Types and Suites hold them, or a
# one-line "TYPE [options] URI SUITE ...".
has_entry() {
    local f
    for f in "${sources[@]}"; do
        [ -e "$f" ] || continue
        awk -v t="$1" -v s="$2" 'BEGIN { RS = ""; found = 0 }
            function has(field, word,   n, w, i) {
                if (!match($0, "(^|\n)[ \t]*" field ":[^\n]*")) return 0
                n = split(substr($0, RSTART, RLENGTH), w, /[ \t\n:]+/)
                for (i = 1; i <= n; i++) if (w[i] == word) return 1
                return 0 }
            has("Types", t) && has("Suites", s) { found = 1 }
            END { exit !found }' "$f" && return 0
        grep -qsE "^[[:space:]]*$1([[:space:]]+\[[^]]*\])?[[:space:]]+[^[:space:]]+[[:space:]]+$2([[:space:]]|$)" "$f" &&
            return 0
    done
    return 1
}

# The machine's own suites: deb-src entries made from its deb entries,
# into a file of our own: the same archives, suites, components and keys.
add_own_deb_src() {
    local file=/etc/apt/sources.list.d/miou-solo5-deb-src.sources f tmp
    tmp=$(mktemp)
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -e "$f" ] || continue
        case $f in */miou-solo5-*) continue ;; esac
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

# Another suite of the Debian archive: that suite alone, sources only.
add_other_deb_src() {
    local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    [ -e "$keyring" ] || return 1
    printf '%s\n' "# Added by miou-solo5's scripts/fetch_lwip.sh: Debian's $1 sources," \
        "# for apt-get source lwip/$1 (no binary package comes from here)." \
        "Types: deb-src" "URIs: http://deb.debian.org/debian" "Suites: $1" \
        "Components: main" "Signed-By: $keyring" \
        >"/etc/apt/sources.list.d/miou-solo5-deb-src-$1.sources"
}

# apt_update: refresh the indexes, apt's own messages on standard error
# when it fails (no network, another apt holding the lock, ...): what
# apt-get source says next ("You must put some 'deb-src' URIs in your
# sources.list") would hide the reason.
apt_update() {
    local log rc
    log=$(mktemp) || return 1
    timeout 900 apt-get update -qq >"$log" 2>&1
    rc=$?
    [ $rc -eq 0 ] || sed 's/^/    /' "$log" >&2
    rm -f "$log"
    return $rc
}

if ! has_entry deb-src "$suite"; then
    [ "$(id -u)" = 0 ] || die "this machine has no deb-src entry for $suite in its APT sources, and only root can add one"
    if has_entry deb "$suite"; then
        add_own_deb_src || die "could not make a deb-src entry from this machine's APT sources"
        say "added deb-src entries (/etc/apt/sources.list.d/miou-solo5-deb-src.*)"
    else
        add_other_deb_src "$suite" || die "could not add a deb-src entry for $suite (no Debian archive keyring?)"
        say "added a deb-src entry for $suite (/etc/apt/sources.list.d/miou-solo5-deb-src-$suite.sources)"
    fi
    apt_update || die "apt-get update failed (its messages are above)"
fi

parent=$(dirname "$dest")
mkdir -p "$parent" || die "cannot make $parent"
work=$(mktemp -d -p "$parent" fetch.XXXXXX) || die "cannot make a folder in $parent"
trap 'rm -rf "$work"' EXIT
# apt-get as root downloads outside its sandbox: it says so; that is all.
fetch() { (cd "$work" && timeout 900 apt-get source -qq "lwip/$suite" >log 2>&1); }
if ! fetch; then
    # A stale index (deb-src added long ago) is refreshed once; when the
    # refresh fails, its messages say why, not apt-get source's.
    if [ "$(id -u)" != 0 ]; then
        sed 's/^/    /' "$work/log" >&2
        die "apt-get source lwip/$suite failed, and only root can refresh the indexes"
    fi
    apt_update || die "apt-get update failed (its messages are above)"
    if ! fetch; then
        sed 's/^/    /' "$work/log" >&2
        die "apt-get source lwip/$suite failed (no network, or no such package in this archive?)"
    fi
fi
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "lwip-$version*" | head -n 1)
[ -n "$src" ] && [ -f "$src/src/core/tcp.c" ] ||
    die "apt-get source lwip/$suite did not give lwIP $version (got: $(ls "$work" | tr '\n' ' '))"
rm -rf "$dest"
mv "$src" "$dest" || die "cannot move the source into $dest"
echo "lwip $version, Debian source package $(basename "$(ls "$work"/*.dsc)" .dsc) ($suite)" >"$marker"
say "lwIP $version unpacked into $dest"
