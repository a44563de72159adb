#!/usr/bin/env bash
# Write tests/tls/test_certs.h: the test certificates and keys of
# scripts/lib/tls_certs.sh as C strings, for the test programs that run
# TLS inside the unikernel (tests/test_tls.c, the sim platform's TLS
# peer), which have no file to read them from. The keys are TEST ONLY:
# committed so that every platform's build has them, valid 2025 to 2036,
# worth nothing. Run it again to make new ones.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/tls_certs.sh
. scripts/lib/tls_certs.sh
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
make_test_certs "$dir"
out=tests/tls/test_certs.h
{
    echo "/*"
    echo " * test_certs.h - TEST ONLY certificates and private keys, made by"
    echo " * scripts/make_test_certs_h.sh with openssl (scripts/lib/tls_certs.sh)."
    echo " * They protect nothing: never use them outside the tests."
    echo " */"
    echo "#ifndef MIOU_TEST_CERTS_H"
    echo "#define MIOU_TEST_CERTS_H"
    for name in ca server expired other; do
        for ext in pem key; do
            [ -e "$dir/$name.$ext" ] || continue
            echo
            echo "static const char test_${name}_${ext}[] ="
            sed 's/.*/    "&\\n"/' "$dir/$name.$ext"
            echo "    ;"
        done
    done
    echo
    echo "#endif"
} >"$out"
echo "wrote $out"
