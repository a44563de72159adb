#!/usr/bin/env bash
# Install the Debian packages that the test suite (or, with "demo", the
# demo; with "bench", the benchmarks) use, when they are missing and we
# can: as root, with apt-get. Never fails: what stays missing makes the
# tests that need it SKIPPED.
set -u
want=()
need() { # need COMMAND-OR-FILE PACKAGE
    if [ "${1#/}" != "$1" ]; then [ -e "$1" ] || want+=("$2")
    else command -v "$1" >/dev/null 2>&1 || want+=("$2"); fi
}
# Network namespaces, TAP devices and the host's ping: the demo and the
# device tests.
need ip iproute2
need ping iputils-ping
if [ "${1:-}" != demo ]; then
    # The TCP/IP tests: curl fetches from the http example, dnsmasq is the
    # DHCP server of the DHCP case.
    need curl curl
    # The TLS tests: certificates and s_client (openssl); tls_client's
    # digest is checked with python3.
    need openssl openssl
    need python3 python3
    need dnsmasq dnsmasq-base
    need valgrind valgrind
    need pkg-config pkg-config
    need aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
    need /usr/aarch64-linux-gnu/include/stdio.h libc6-dev-arm64-cross
    need qemu-aarch64 qemu-user
    # libFuzzer's runtime, for the fuzz section: only a Recommends of
    # Debian's clang, which --no-install-recommends leaves out.
    if command -v clang >/dev/null 2>&1 &&
        rt=$(clang --print-runtime-dir 2>/dev/null) && [ -n "$rt" ]; then
        fuzzer=$rt/libclang_rt.fuzzer.a
        [ -e "$fuzzer" ] || fuzzer=$rt/libclang_rt.fuzzer-$(uname -m).a
        need "$fuzzer" "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
    fi
fi
# With Solo5 (SOLO5_HOME, or its toolchain on PATH), the unikernels also run
# as Solo5 virtio guests in qemu (scripts/check_solo5.sh).
if [ "${1:-}" != demo ] && [ "$(uname -m)" = x86_64 ] &&
    { [ -n "${SOLO5_HOME:-}" ] ||
        command -v x86_64-solo5-none-static-cc >/dev/null 2>&1; }; then
    need qemu-system-x86_64 qemu-system-x86
fi
if [ "${1:-}" = bench ]; then
    need /usr/include/boost/context/detail/fcontext.hpp libboost-context-dev
    need g++ g++
    # The http example against nginx under wrk.
    need wrk wrk
    need nginx nginx-light
fi
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: missing ${want[*]} and cannot install them (not root or no apt-get)"
    exit 0
fi
echo "deps: installing ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! { timeout 900 apt-get update -qq && timeout 900 apt-get install -y -qq --no-install-recommends "${want[@]}"; } >/tmp/miou-deps.log 2>&1; then
    echo "deps: installation failed (see /tmp/miou-deps.log); tests that need them will be SKIPPED"
fi
exit 0
