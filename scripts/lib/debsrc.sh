# shellcheck shell=bash
# Fetching a Debian source package for the build, checked against the
# archive's signed index (apt-get source), from a suite newer than the
# machine's when need be (a deb-src entry for it, in a file of its own:
# deb-src entries change nothing that the machine installs). Sourced by
# scripts/fetch_mbedtls.sh, which sets, before calling debsrc_fetch:
#   debsrc_name     what the messages call it ("mbedTLS 3.6")
#   debsrc_needed   what cannot be built without it
# Nothing fetched is ever committed: it goes into the build folder.

debsrc_say() { echo "fetch: $*" >&2; }

# debsrc_die MESSAGE: what failed, what is missing, how to get it; exit 1.
debsrc_die() {
    debsrc_say "$*"
    debsrc_say "$debsrc_name's source is missing: $debsrc_needed cannot be built."
    debsrc_say "Give this machine network access to its Debian archive (and run as root once, to add a deb-src entry), or unpack Debian's source package into ${debsrc_dest:-the build folder}."
    exit 1
}

# debsrc_tools: apt-get, and dpkg-source (dpkg-dev) to unpack.
debsrc_tools() {
    command -v apt-get >/dev/null 2>&1 ||
        debsrc_die "apt-get is not available (not a Debian system?)"
    command -v dpkg-source >/dev/null 2>&1 && return 0
    [ "$(id -u)" = 0 ] ||
        debsrc_die "dpkg-source (package dpkg-dev) is missing and only root can install it"
    debsrc_say "installing dpkg-dev (for dpkg-source)"
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq \
        --no-install-recommends dpkg-dev >/dev/null 2>&1 ||
        debsrc_die "could not install dpkg-dev"
}

# debsrc_machine_archive: "URI KEYRING" of the machine's own Debian
# archive: the first deb entry for its release (its codename as a suite),
# in deb822 files or one-line ones; KEYRING may be empty.
debsrc_machine_archive() {
    local codename f
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || return 1
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -e "$f" ] || continue
        awk -v c="$codename" 'BEGIN { RS = ""; FS = "\n" }
            {
                deb = 0; suite = 0; uri = ""; key = ""
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1
                    if ($i ~ /^Suites:/ && (" " $i " ") ~ ("[ \t]" c "[ \t]")) suite = 1
                    if ($i ~ /^URIs:/) { uri = $i; sub(/^URIs:[ \t]*/, "", uri); sub(/[ \t].*/, "", uri) }
                    if ($i ~ /^Signed-By:/) { key = $i; sub(/^Signed-By:[ \t]*/, "", key) }
                }
                if (deb && suite && uri != "") { print uri, key; exit }
            }' "$f"
    done | head -n 1 | grep . && return 0
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        awk -v c="$codename" '$1 == "deb" {
            i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++
            if ($2 ~ /^\[/) i++
            if ($(i + 1) == c) { print $i; exit } }' | grep .
}

# debsrc_suite SUITE: a deb-src entry for SUITE of the machine's archive,
# in /etc/apt/sources.list.d/miou-solo5-SUITE-src.sources (left as it is
# when there), its index fetched: apt-get update of that file alone, so
# that nothing else of the machine's APT state changes. As root only.
debsrc_suite() {
    local suite=$1 file archive uri key
    file=/etc/apt/sources.list.d/miou-solo5-$suite-src.sources
    if [ ! -e "$file" ]; then
        [ "$(id -u)" = 0 ] ||
            debsrc_die "this machine has no deb-src entry for $suite, and only root can add one"
        archive=$(debsrc_machine_archive) ||
            debsrc_die "no deb entry for this machine's own release in its APT sources, to make a $suite deb-src entry from"
        read -r uri key <<<"$archive"
        {
            echo "Types: deb-src"
            echo "URIs: $uri"
            echo "Suites: $suite"
            echo "Components: main"
            [ -z "$key" ] || echo "Signed-By: $key"
        } >"$file.tmp" && mv "$file.tmp" "$file" ||
            debsrc_die "cannot write $file"
        debsrc_say "added a deb-src entry for $suite ($file)"
    fi
    [ "$(id -u)" = 0 ] || return 0
    timeout 900 apt-get update -qq -o Dir::Etc::sourcelist="$file" \
        -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 \
        >/dev/null 2>&1 ||
        debsrc_die "apt-get update of $file failed (no network?)"
}

# debsrc_newest PACKAGE VERSION-PATTERN: the newest version of PACKAGE's
# source that APT knows and that matches the shell pattern, or nothing.
debsrc_newest() {
    local v best=
    for v in $(apt-cache showsrc "$1" 2>/dev/null | sed -n 's/^Version: //p'); do
        # shellcheck disable=SC2254 # a pattern, on purpose
        case $v in $2) ;; *) continue ;; esac
        if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then
            best=$v
        fi
    done
    echo "$best"
}

# debsrc_fetch PACKAGE VERSION-PATTERN SUITE DEST CHECK: the newest
# version of PACKAGE's source matching the shell pattern VERSION-PATTERN
# that APT knows (from SUITE's deb-src entry, added when missing),
# unpacked with Debian's patches into DEST, which must then hold the file
# CHECK. A copy already in DEST (its marker DEST/.miou-fetched) is used
# as it is: the build's cache.
debsrc_fetch() {
    local pkg=$1 pattern=$2 suite=$3 dest=$4 check=$5 version work src
    debsrc_dest=$dest
    [ -e "$dest/.miou-fetched" ] && return 0
    debsrc_tools
    version=$(debsrc_newest "$pkg" "$pattern")
    if [ -z "$version" ]; then
        debsrc_suite "$suite"
        version=$(debsrc_newest "$pkg" "$pattern")
    fi
    [ -n "$version" ] ||
        debsrc_die "APT knows no source of $pkg $pattern, even with a deb-src entry for $suite"
    mkdir -p "$(dirname "$dest")" || debsrc_die "cannot make $(dirname "$dest")"
    work=$(mktemp -d -p "$(dirname "$dest")" fetch.XXXXXX) ||
        debsrc_die "cannot make a folder in $(dirname "$dest")"
    # shellcheck disable=SC2064 # the folder now
    trap "rm -rf '$work'" EXIT
    # apt-get as root downloads outside its sandbox: it says so; that is all.
    if ! (cd "$work" && timeout 900 apt-get source -qq "$pkg=$version" >log 2>&1); then
        sed 's/^/    /' "$work/log" >&2
        debsrc_die "apt-get source $pkg=$version failed (no network?)"
    fi
    src=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
    [ -n "$src" ] && [ -f "$src/$check" ] ||
        debsrc_die "apt-get source $pkg=$version did not give $check"
    rm -rf "$dest"
    mv "$src" "$dest" || debsrc_die "cannot move the source into $dest"
    echo "$pkg $version, Debian source package $(basename "$(ls "$work"/*.dsc)" .dsc)" >"$dest/.miou-fetched"
    debsrc_say "$pkg $version unpacked into $dest"
}
