#!/usr/bin/env bash
# Obtain mbedTLS's source for the build (mk/mbedtls.mk): Debian's source
# package mbedtls 3.6 (the long-term-support branch, with TLS 1.3; Debian
# 13 "trixie" has it, bookworm only 2.28), through apt-get source, which
# checks it against the archive's signed index, unpacked with Debian's
# patches into DEST (build/mbedtls/src by default). Nothing of mbedTLS is
# ever committed.
#
#   scripts/fetch_mbedtls.sh [DEST]
#
# A copy already in DEST is used as it is (the build's cache). When APT
# knows no 3.6 source, a deb-src entry for trixie is added, in a file of
# its own (/etc/apt/sources.list.d/miou-solo5-trixie-src.sources, made
# from the machine's own entry for its archive: same archive, same keys),
# and only that file's index is fetched; as root only. A deb-src entry
# changes nothing that the machine installs. Without network and without
# a copy, it stops with a message saying what is missing.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/debsrc.sh
. scripts/lib/debsrc.sh
debsrc_name="mbedTLS 3.6"
debsrc_needed="the TLS layer (src/tls), its examples (https, tls_client) and tests"
debsrc_fetch mbedtls '3.6.*' trixie "${1:-build/mbedtls/src}" library/ssl_tls13_client.c
