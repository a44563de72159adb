#!/usr/bin/env bash
# scripts/fetch_lwip.sh when apt fails: apt's own messages reach the user.
# A fake apt-get and apt-cache, first on PATH, play an apt whose lock
# another apt holds; the script must print apt's error and say that
# apt-get update failed, not that the machine lacks a deb-src entry.
# Nothing is fetched and nothing of the machine's APT is touched: the
# case runs only where the script would not add a deb-src entry (there is
# one) and would refresh the indexes (root).
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
check_begin fetch-lwip
what="when apt-get update fails, fetch_lwip.sh shows apt's own error"
if [ "$(id -u)" != 0 ]; then
    skip "$what" "not root (only root refreshes the indexes)"
    exit 0
fi
# The version and suite the build fetches (mk/lwip.source's first).
read -r version suite < <(sed -e 's/#.*//' mk/lwip.source | awk 'NF >= 2 { print $1, $2; exit }')
if ! grep -lsE '^[[:space:]]*Types:.*deb-src|^[[:space:]]*deb-src[[:space:]]' \
    /etc/apt/sources.list /etc/apt/sources.list.d/* | xargs -r grep -qsw -- "$suite"; then
    skip "$what" "no deb-src entry for $suite here (the script would add one)"
    exit 0
fi
mkdir "$tmp/bin"
lock="E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)"
cat >"$tmp/bin/apt-get" <<FAKE
#!/bin/sh
[ "\$1" = update ] && { echo "$lock"; exit 100; }
echo "E: You must put some 'deb-src' URIs in your sources.list"
exit 100
FAKE
printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/apt-cache"
printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/dpkg-source"
chmod +x "$tmp/bin"/*
PATH=$tmp/bin:$PATH timeout 60 scripts/fetch_lwip.sh "$version" "$tmp/lwip" >"$tmp/out" 2>&1
rc=$?
if [ $rc -ne 1 ]; then
    fail "$what: exit status $rc, wanted 1: $(show "$tmp/out")"
elif ! grep -qF "    $lock" "$tmp/out" ||
    ! grep -q '^fetch_lwip: apt-get update failed' "$tmp/out"; then
    fail "$what: $(show "$tmp/out" 600)"
elif [ -e "$tmp/lwip" ]; then
    fail "$what: it left $tmp/lwip behind"
else
    ok "$what (another apt holding the lock)"
fi
