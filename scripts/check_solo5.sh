#!/usr/bin/env bash
# The Solo5 target, as a user of Solo5 meets it: `make PLATFORM=solo5`
# builds every example and test as spt and hvt unikernels; their undefined
# symbols are all provided by Solo5's bindings (nothing of a host C
# library leaks in; checked without Solo5 too, on a freestanding build
# with the host's compiler); under solo5-spt the test programs report the same
# cases with the same verdicts as on the hosted platform, the examples
# print the same, the programs that must die die the same way, the block
# example reads and writes a disk image, and the ping example answers the
# host's ping through a TAP interface inside a network namespace made here.
# Solo5's own test programs (SOLO5_HOME/tests), built unchanged against
# the installed hosted platform, end and print on hosted as under
# solo5-spt, and bad disk images are refused there in the same words.
# Where qemu-system-x86_64 exists, the tests and examples also run as
# Solo5 virtio unikernels in an emulated virtual machine (disks as
# virtio-blk devices).
#
# Solo5 is found as the Makefile finds it: SOLO5_HOME (a built Solo5 tree
# or an install prefix), else the toolchain and tenders on PATH. Without
# it every case is SKIPPED with the reason; the message of a build without
# the toolchain is checked in every case. hvt unikernels are built and
# checked, and run only where /dev/kvm exists.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/check.sh
. scripts/lib/check.sh
# shellcheck source=scripts/lib/programs.sh
. scripts/lib/programs.sh
check_begin solo5
MAKE=${MAKE:-make}
hosted=${BUILD:-build/hosted}
arch=${SOLO5_ARCH:-$(uname -m)}
triple=$arch-solo5-none-static

# solo5_find NAME: the path of Solo5's tool NAME, as mk/solo5.mk finds it.
# shellcheck source=scripts/lib/solo5.sh
. scripts/lib/solo5.sh

# beyond DIR ALLOWED [LABEL]: for every list DIR/*/NAME.undefined (one
# symbol a line, sorted), the symbols that the sorted file ALLOWED lacks,
# appended to $bad as " NAME LABEL: SYMBOLS;"; the lists read, added to
# $count. _GLOBAL_OFFSET_TABLE_ is left out: the linker defines it in
# every link (the assembler refers to it in code using thread-local
# variables).
beyond() {
    local list extra
    for list in "$1"/*/*.undefined; do
        [ -e "$list" ] || continue
        count=$((count + 1))
        extra=$(grep -vx _GLOBAL_OFFSET_TABLE_ "$list" | comm -23 - "$2" | tr '\n' ' ')
        [ -n "$extra" ] && bad="$bad ${list#"$1"/}${3:-}: $extra;"
    done
}

# ---- Without the toolchain: one line that says so, and make stops.
out=$tmp/notoolchain.out
"$MAKE" --no-print-directory PLATFORM=solo5 SOLO5_HOME="$tmp/nowhere" \
    SOLO5_ARCH=none >"$out" 2>&1
rc=$?
if [ $rc -ne 0 ] && [ "$(wc -l <"$out")" -eq 1 ] &&
    grep -q "Solo5's toolchain (none-solo5-none-static-cc) was not found" "$out"; then
    ok "without Solo5's toolchain, make PLATFORM=solo5 says so in one line and stops"
else
    fail "without Solo5's toolchain, make PLATFORM=solo5 says so in one line: status $rc: $(show "$out")"
fi

# ---- Without Solo5 too: every program built freestanding by the host's
# compiler as Solo5's wrapper would (make PLATFORM=solo5
# SOLO5_FREESTANDING=1), and its undefined symbols: only calls of the
# Solo5 ABI (include/solo5.h) and the stack protector's two symbols, which
# Solo5's bindings define. Anything else would be a host C library's.
log=$tmp/freestanding.log
if ! "$MAKE" --no-print-directory PLATFORM=solo5 SOLO5_FREESTANDING=1 -j2 all >"$log" 2>&1; then
    fail "every program builds freestanding (no host header): $(grep -E 'error|\*\*\*' "$log" | head -n 5 | tr '\n' '|')"
else
    { grep -oE '\bsolo5_[a-z_]+ *\(' include/solo5.h | tr -d ' (' | grep -v '^solo5_app_main$'
      printf '%s\n' __stack_chk_fail __stack_chk_guard; } | sort -u >"$tmp/abi"
    bad=
    count=0
    beyond build/solo5-check/unikernels "$tmp/abi"
    if [ "$count" -eq 0 ]; then
        fail "the freestanding build made no list of undefined symbols"
    elif [ -n "$bad" ]; then
        fail "programs built freestanding ask for more than the Solo5 ABI:$bad"
    else
        ok "every program ($count) builds freestanding and asks only for the Solo5 ABI and the stack protector"
    fi
fi

cc=$(solo5_find "$triple-cc")
spt=$(solo5_find solo5-spt)
elftool=$(solo5_find solo5-elftool)
if [ -z "$cc" ] || [ -z "$spt" ] || [ -z "$elftool" ]; then
    why="Solo5 not found ($triple-cc, solo5-spt, solo5-elftool): set SOLO5_HOME to a built Solo5 tree or put its tools on PATH (README, 'The Solo5 target')"
    for what in "make PLATFORM=solo5 builds every example and test" \
        "no unikernel has an undefined symbol that Solo5's bindings lack" \
        "the test programs pass under solo5-spt as on hosted" \
        "the examples print under solo5-spt what they print on hosted" \
        "programs that must die die under solo5-spt as on hosted" \
        "Solo5's own test programs run on hosted as under solo5-spt" \
        "ping answers the host's ping under solo5-spt"; do
        skip "$what" "$why"
    done
    exit 0
fi
bindings=$(dirname "$(readlink -f "$cc")")/../lib/$triple

# ---- The build.
log=$tmp/build.log
if "$MAKE" --no-print-directory PLATFORM=solo5 -j2 all undefined >"$log" 2>&1; then
    ok "make PLATFORM=solo5 builds every example and test (spt and hvt)"
else
    fail "make PLATFORM=solo5 fails: $(grep -E 'error|\*\*\*|undefined' "$log" | head -n 5 | tr '\n' '|')"
    exit 0
fi

# ---- Undefined symbols: each must be defined by the bindings of every
# target the program is linked for.
bad=
count=0
for abi in spt hvt; do
    nm --defined-only "$bindings/solo5_$abi.o" | awk '{ print $3 }' |
        sort -u >"$tmp/provided.$abi"
    beyond build/solo5/unikernels "$tmp/provided.$abi" " ($abi)"
done
if [ "$count" -eq 0 ]; then
    fail "no list of undefined symbols was made"
elif [ -n "$bad" ]; then
    fail "unikernels ask for symbols Solo5's bindings lack:$bad"
else
    ok "no unikernel has an undefined symbol that Solo5's bindings lack ($((count / 2)) programs, spt and hvt)"
fi

# spt_run OUT SECONDS [TENDER OPTION]... UNIKERNEL [ARGUMENT]...: run under
# solo5-spt, the console quiet; its status in $?.
spt_run() {
    local o=$1 secs=$2 mem=--mem=512
    shift 2
    case ${1:-} in --mem=*) mem=$1; shift ;; esac
    timeout -k 5 "$secs" "$spt" "$mem" "$@" >"$o" 2>&1
}

# The cases of a test program's output as "VERDICT NAME" lines, sorted:
# VERDICT is ok, not ok or skip, NAME is "topic: sentence" (a failure's
# place and a skip's reason taken off).
results() {
    grep -E '^(ok|not ok|skip) - ' "$1" |
        sed -E 's/^(ok|not ok|skip) - (.*)$/\1|\2/; s/: SKIPPED .*$//; s/: [^ :]+\.c:[0-9]+ .*$//' |
        sort -t'|' -k2
}
# The names alone.
case_names() { results "$1" | cut -d'|' -f2; }

# split_words WORDS...: the tender's options (before "--") into $opts,
# the unikernel's arguments into $args.
split_words() {
    opts=()
    args=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        opts+=("$1")
        shift
    done
    [ $# -gt 0 ] && shift
    args=("$@")
}

# quiet ARGS...: the unikernel's arguments, with --solo5:quiet first
# unless they begin with a --solo5: word of their own.
quiet() {
    case ${1:-} in
    --solo5:*) printf '%s\n' "$@" ;;
    *) printf '%s\n' --solo5:quiet "$@" ;;
    esac
}

# solo5_run_of LINE: a run line of a test program, expanded for Solo5:
# $label, the tender's options in $opts, the unikernel's arguments (quiet)
# in $args.
solo5_run_of() {
    local words
    run_parse "$1"
    label=${run_label#-}
    mapfile -t words < <(expand_words solo5 "$(mktemp -d -p "$tmp")" "${run_words[@]}")
    split_words "${words[@]}"
    mapfile -t args < <(quiet "${args[@]}")
}

# compare NAME OUT-SPT OUT-HOSTED STATUS LABEL: the case of a test
# program under solo5-spt: exit 0, the cases of hosted, none failed.
compare() {
    local name=$1 o=$2 h=$3 rc=$4 what="$1${5:+ ($5)} under solo5-spt" n skips
    n=$(results "$o" | grep -c '^ok|')
    skips=$(results "$o" | grep '^skip|' | cut -d'|' -f2 | tr '\n' ';')
    if [ "$rc" -ne 0 ]; then
        fail "$what: exit status $rc: $(grep -m 3 -E '^not ok|rror|bort' "$o" | tr '\n' '|')"
    elif ! diff <(case_names "$h") <(case_names "$o") >"$tmp/diff"; then
        fail "$what runs other cases than on hosted: $(head -n 6 "$tmp/diff" | tr '\n' '|')"
    elif results "$o" | grep -q '^not ok|'; then
        fail "$what: a case failed: $(grep -m 3 '^not ok' "$o" | tr '\n' '|')"
    elif [ -n "$skips" ]; then
        # A case may skip what a unikernel cannot do (console capture,
        # fork); it says why in its line.
        ok "$what: the same cases as on hosted, $n passing, skipped where a unikernel cannot: $skips"
    else
        ok "$what: the same $n passing cases as on hosted"
    fi
}

# ---- The test programs: each run of its NAME.run (scripts/lib/
# programs.sh), with the same cases and verdicts as the same run on
# hosted. A run on a net device ({net}) is left for the namespace below.
net_runs=()
for src in tests/test_*.c; do
    name=$(basename "$src" .c)
    while IFS= read -r line; do
        if [[ $line == *"{net}"* ]]; then
            net_runs+=("$name|$line")
            continue
        fi
        solo5_run_of "$line"
        o=$tmp/$name$label.spt.out
        spt_run "$o" 300 "${opts[@]}" "build/spt/tests/$name.spt" "${args[@]}"
        rc=$?
        d=$(mktemp -d -p "$tmp")
        mapfile -t words < <(expand_words hosted "$d" "${run_words[@]}")
        timeout -k 5 300 "$hosted/tests/$name" "${words[@]}" \
            >"$tmp/$name$label.hosted.out" 2>&1
        compare "$name" "$o" "$tmp/$name$label.hosted.out" $rc "$label"
    done < <(runs_of "$src")
done

# ---- The same heap: with the same --mem, a unikernel fits about as many
# tasks under Solo5 as on hosted (Solo5 keeps the program's image and the
# stack out of the region: a few MiB of 64).
h=$(sed -n 's/^# \([0-9]*\) tasks with 64 KiB stacks fit$/\1/p' "$tmp/test_memory.hosted.out")
s=$(sed -n 's/^# \([0-9]*\) tasks with 64 KiB stacks fit$/\1/p' "$tmp/test_memory.spt.out")
if [ -z "$h" ] || [ -z "$s" ]; then
    fail "test_memory printed no count: hosted '$h', spt '$s'"
elif [ $((s * 100)) -lt $((h * 90)) ] || [ "$s" -gt "$h" ]; then
    fail "with --mem=64, $s tasks fit under solo5-spt against $h on hosted"
else
    ok "with --mem=64, $s tasks fit under solo5-spt and $h on hosted: one allocator, one heap"
fi

# ---- The examples that print the same whatever the machine.
for name in hello schedule sleep; do
    spt_run "$tmp/$name.spt.out" 60 "build/spt/examples/$name.spt" --solo5:quiet
    rc=$?
    timeout 60 "$hosted/examples/$name" --solo5:quiet >"$tmp/$name.hosted.out" 2>&1
    if [ $rc -ne 0 ]; then
        fail "example $name under solo5-spt: exit status $rc: $(show "$tmp/$name.spt.out")"
    elif ! cmp -s "$tmp/$name.spt.out" "$tmp/$name.hosted.out"; then
        fail "example $name prints other lines under solo5-spt: $(show "$tmp/$name.spt.out") against $(show "$tmp/$name.hosted.out")"
    else
        ok "example $name prints under solo5-spt exactly what it prints on hosted"
    fi
done

# The block example on two identical images of 512-byte sectors: same
# checksums, same verdict, same image after it (the pattern it writes over
# the last block, and puts back, comes from the clock).
mask_pattern() { sed -E 's/wrote a pattern \(fnv1a64 [0-9a-f]+\)/wrote a pattern/' "$1"; }
for where in spt hosted; do
    dd if=/dev/zero of="$tmp/$where.img" bs=512 count=128 status=none
    printf 'miou-solo5 block example' | dd of="$tmp/$where.img" conv=notrunc status=none
done
spt_run "$tmp/block.spt.out" 60 --block:storage="$tmp/spt.img" build/spt/examples/block.spt --solo5:quiet
rc=$?
timeout 60 "$hosted/examples/block" --block:storage="$tmp/hosted.img" -- --solo5:quiet >"$tmp/block.hosted.out" 2>&1
if [ $rc -ne 0 ]; then
    fail "example block under solo5-spt: exit status $rc: $(show "$tmp/block.spt.out")"
elif ! diff <(mask_pattern "$tmp/block.spt.out") <(mask_pattern "$tmp/block.hosted.out") >/dev/null ||
    ! cmp -s "$tmp/spt.img" "$tmp/hosted.img"; then
    fail "example block under solo5-spt: other output or image than on hosted: $(show "$tmp/block.spt.out")"
else
    ok "example block reads and writes its disk under solo5-spt as on hosted"
fi

# ---- Programs that must die (and death_exit's ways to end): each run of
# their NAME.run gives under solo5-spt the status and the texts it gives
# on hosted (Solo5's abort status, 255, and the message).
for src in tests/death_*.c; do
    name=$(basename "$src" .c)
    while IFS= read -r line; do
        solo5_run_of "$line"
        run_death solo5-spt "$name" "$label" "$run_expect" 60 \
            "$spt" --mem=512 "${opts[@]}" "build/spt/tests/$name.spt" "${args[@]}"
    done < <(runs_of "$src")
done

# ---- Solo5's own test programs (from a built Solo5 tree), compiled
# unchanged against the hosted platform as installed (pkg-config's
# miou-hosted), their manifest by the installed miou-manifest: each ends
# on hosted with the status it has under solo5-spt, prints the same
# (standard output and error together), and
# a bad disk image is refused in the same words. Two differ, as
# include/solo5.h says: solo5_set_tls_base() answers SOLO5_R_EUNSPEC on
# hosted (test_tls exits 1), where glibc owns the TLS base, which is
# therefore readable (test_notls exits 1 instead of faulting).
solo5_tests=${SOLO5_HOME:-/nonexistent}/tests
if [ ! -e "$solo5_tests/test_hello/test_hello.spt" ]; then
    skip "Solo5's own test programs run on hosted as under solo5-spt" "no built Solo5 tree with its tests (SOLO5_HOME/tests)"
elif ! "$MAKE" --no-print-directory install PREFIX="$tmp/prefix" >"$tmp/install.log" 2>&1; then
    fail "make install PREFIX=...: $(lastlines "$tmp/install.log")"
else
    pc=$tmp/prefix/lib/pkgconfig
    dd if=/dev/zero of="$tmp/solo5-disk.img" bs=512 count=20 status=none
    # NAME|TENDER OPTION|ARGUMENT|HOSTED STATUS (when it differs)|WHY
    while IFS='|' read -r name opt arg hosted_rc why; do
        t=$solo5_tests/test_$name
        what="Solo5's test_$name"
        # shellcheck disable=SC2046 # the flags are words
        if ! "$tmp/prefix/bin/miou-manifest" "$t/manifest.json" "$tmp/$name.mft.c" 2>"$tmp/log" ||
            ! cc -O2 $(PKG_CONFIG_PATH=$pc pkg-config --cflags miou-hosted) \
                "$t/test_$name.c" "$tmp/$name.mft.c" \
                $(PKG_CONFIG_PATH=$pc pkg-config --libs miou-hosted) \
                -o "$tmp/solo5_$name" 2>>"$tmp/log"; then
            fail "$what builds unchanged against the hosted platform: $(lastlines "$tmp/log")"
            continue
        fi
        opts=()
        [ -n "$opt" ] && opts=("${opt//\{disk\}/$tmp/solo5-disk.img}")
        # Both outputs whole: Solo5 writes its abort messages to the
        # console, hosted to standard error. (The subshells keep the
        # shell's own "Segmentation fault" out of the way.)
        # shellcheck disable=SC2086 # no argument, or one word
        (timeout -k 5 60 "$spt" "${opts[@]}" "$t/test_$name.spt" --solo5:quiet $arg \
            >"$tmp/s5-$name.spt.out" 2>&1; exit $?) 2>/dev/null
        s_rc=$?
        # shellcheck disable=SC2086
        (timeout -k 5 60 "$tmp/solo5_$name" "${opts[@]}" -- --solo5:quiet $arg \
            >"$tmp/s5-$name.hosted.out" 2>&1; exit $?) 2>/dev/null
        h_rc=$?
        if [ -n "$hosted_rc" ]; then
            if [ $h_rc -eq "$hosted_rc" ] && [ $s_rc -ne "$hosted_rc" ]; then
                ok "$what ends with status $h_rc on hosted, $s_rc under solo5-spt: $why"
            else
                fail "$what: status $h_rc on hosted (wanted $hosted_rc: $why), $s_rc under solo5-spt"
            fi
        elif [ $h_rc -ne $s_rc ]; then
            fail "$what: status $h_rc on hosted, $s_rc under solo5-spt: $(lastlines "$tmp/s5-$name.hosted.out")"
        # (Solo5 ends its stack-protector message with a NUL byte.)
        elif ! cmp -s <(tr -d '\0' <"$tmp/s5-$name.hosted.out") \
            <(tr -d '\0' <"$tmp/s5-$name.spt.out"); then
            fail "$what prints other lines on hosted: $(show "$tmp/s5-$name.hosted.out") against $(show "$tmp/s5-$name.spt.out")"
        else
            ok "$what builds unchanged and ends on hosted as under solo5-spt (status $h_rc, the same output)"
        fi
    done <<'TESTS'
hello||Hello_Solo5||
quiet||||
globals||||
output||Output_Solo5||
fpu||||
blk|--block:storage={disk}|||
ssp||||
zeropage||||
exception||||
tls|||1|solo5_set_tls_base() answers SOLO5_R_EUNSPEC where glibc owns the TLS base
notls|||1|glibc's TLS base is there to read, where Solo5 leaves none
TESTS
    # The images and sector sizes Solo5's tests refuse: status 1 and the
    # same words from both tenders.
    dd if=/dev/zero of="$tmp/mis.img" bs=2k count=3 status=none
    : >"$tmp/empty.img"
    while IFS='|' read -r image sector words; do
        o=(--block:storage="$tmp/$image" --block-sector-size:storage="$sector")
        timeout 30 "$spt" "${o[@]}" "$solo5_tests/test_blk/test_blk.spt" >"$tmp/bad.spt" 2>&1
        s_rc=$?
        timeout 30 "$tmp/solo5_blk" "${o[@]}" >"$tmp/bad.hosted" 2>&1
        h_rc=$?
        if [ $s_rc -eq 1 ] && [ $h_rc -eq 1 ] && grep -qF "$words" "$tmp/bad.spt" &&
            grep -qF "$words" "$tmp/bad.hosted"; then
            ok "$image with $sector-byte sectors: both tenders refuse it, status 1, saying '$words'"
        else
            fail "$image with $sector-byte sectors: status $h_rc on hosted, $s_rc under solo5-spt: $(show "$tmp/bad.hosted") against $(show "$tmp/bad.spt")"
        fi
    done <<'IMAGES'
mis.img|4096|Backing storage size must be block aligned (4096 bytes)
mis.img|521|Block size must be a multiple of 2 greater than or equal 512
mis.img|256|Block size must be a multiple of 2 greater than or equal 512
empty.img|512|Backing storage must be at least 1 block (512 bytes) in size
missing.img|512|Could not open block device
IMAGES
fi

# ---- hvt: KVM only. Where KVM cannot run floating-point code in a guest
# (some nested set-ups), Solo5's own test_fpu fails as ours do: that is
# the machine, and says so.
hvt=$(solo5_find solo5-hvt)
if [ ! -c /dev/kvm ] || [ -z "$hvt" ]; then
    skip "example hello runs under solo5-hvt" "no /dev/kvm (or no solo5-hvt) on this machine"
else
    timeout 30 "$hvt" --mem=64 build/hvt/examples/hello.hvt --solo5:quiet >"$tmp/hvt.out" 2>&1
    fpu=${SOLO5_HOME:-/nonexistent}/tests/test_fpu/test_fpu.hvt
    if grep -q '^Hello World$' "$tmp/hvt.out"; then
        ok "example hello runs under solo5-hvt"
    elif [ -x "$fpu" ] && ! timeout 30 "$hvt" "$fpu" >"$tmp/fpu.out" 2>&1 &&
        grep -q 'KVM: internal error' "$tmp/fpu.out"; then
        skip "example hello runs under solo5-hvt" "this machine's KVM cannot run SSE code in a guest: Solo5's own test_fpu fails too ($(lastlines "$tmp/fpu.out" 1))"
    else
        fail "example hello under solo5-hvt: $(show "$tmp/hvt.out")"
    fi
fi

# ---- virtio: the same unikernels in a real, emulated, virtual machine
# (qemu-system-x86_64 without KVM, as Solo5's own run script starts it).
# Solo5's virtio target ends the machine with the same status whatever
# the unikernel's (83, through isa-debug-exit), so the verdict is read
# from the output: each test program's closing line, no failed case, the
# cases of hosted.
qemu=$(command -v qemu-system-x86_64)
# A machine as Solo5's own run script starts one without KVM; its console
# on standard output.
qemu_vm=("$qemu" -cpu Westmere -nodefaults -no-acpi -display none
    -serial stdio -device isa-debug-exit)
if [ "$arch" != x86_64 ] || [ -z "$qemu" ]; then
    skip "the test programs pass under Solo5's virtio target in qemu" "no qemu-system-x86_64 (Debian's qemu-system-x86) on this machine"
elif ! "$MAKE" --no-print-directory PLATFORM=solo5 SOLO5_ABIS=virtio -j2 tests examples >"$tmp/virtio.log" 2>&1; then
    fail "make PLATFORM=solo5 SOLO5_ABIS=virtio: $(lastlines "$tmp/virtio.log")"
else
    # The serial console ends its lines with CR LF: the CRs go. vm_disk:
    # a disk image to attach as the first virtio-blk device, which Solo5
    # gives to the manifest's block device.
    vm_disk=
    vm_run() { # vm_run OUT UNIKERNEL [ARGUMENT]...
        local o=$1 uk=$2 disk=()
        shift 2
        [ -n "$vm_disk" ] && disk=(-drive "file=$vm_disk,if=none,id=d0,format=raw"
            -device virtio-blk,drive=d0,addr=0x2,bus=pci.0)
        timeout -k 5 300 "${qemu_vm[@]}" -m "${mem:-512}" "${disk[@]}" \
            -kernel "$uk" -append "--solo5:quiet $*" 2>&1 | tr -d '\r' >"$o"
    }
    for src in tests/test_*.c; do
        name=$(basename "$src" .c)
        uk=build/virtio/tests/$name.virtio
        while IFS= read -r line; do
            # A net device: ping through virtio-net below covers it.
            [[ $line == *"{net}"* ]] && continue
            solo5_run_of "$line"
            # The tender's options as qemu's: a disk, its sector size
            # (Solo5's virtio-blk has 512-byte sectors only), the memory.
            vm_disk=
            mem=512
            sector=
            for opt in "${opts[@]}"; do
                case $opt in
                --block:*=*) vm_disk=${opt#*=} ;;
                --block-sector-size:*=512) ;;
                --block-sector-size:*) sector=${opt#*=} ;;
                --mem=*) mem=${opt#--mem=} ;;
                esac
            done
            if [ -n "$sector" ]; then
                skip "$name${label:+ ($label)} under Solo5's virtio target in qemu" "Solo5's virtio-blk has 512-byte sectors only, not $sector"
                continue
            fi
            o=$tmp/$name$label.vm.out
            vm_run "$o" "$uk" "${args[@]}"
            if ! grep -qE '^# [a-z0-9_-]+: [0-9]+ passed, 0 failed' "$o"; then
                fail "$name${label:+ ($label)} under virtio: no closing line with 0 failed: $(lastlines "$o")"
            elif ! diff <(case_names "$tmp/$name$label.hosted.out") <(case_names "$o") >"$tmp/diff"; then
                fail "$name${label:+ ($label)} under virtio runs other cases than on hosted: $(head -n 6 "$tmp/diff" | tr '\n' '|')"
            else
                ok "$name${label:+ ($label)} under Solo5's virtio target in qemu: the cases of hosted, none failed"
            fi
        done < <(runs_of "$src")
    done
    vm_disk=
    for name in hello schedule sleep; do
        vm_run "$tmp/$name.vm.out" "build/virtio/examples/$name.virtio"
        if cmp -s "$tmp/$name.vm.out" "$tmp/$name.hosted.out"; then
            ok "example $name prints under virtio in qemu exactly what it prints on hosted"
        else
            fail "example $name under virtio: $(show "$tmp/$name.vm.out")"
        fi
    done
    # The block example on a virtio-blk disk, as on spt above.
    vm_disk=$tmp/vm-block.img
    dd if=/dev/zero of="$vm_disk" bs=512 count=128 status=none
    printf 'miou-solo5 block example' | dd of="$vm_disk" conv=notrunc status=none
    vm_run "$tmp/block.vm.out" build/virtio/examples/block.virtio
    if diff <(mask_pattern "$tmp/block.vm.out") <(mask_pattern "$tmp/block.hosted.out") >/dev/null &&
        cmp -s "$vm_disk" "$tmp/hosted.img"; then
        ok "example block reads and writes a virtio-blk disk in qemu as on hosted"
    else
        fail "example block under virtio: $(show "$tmp/block.vm.out")"
    fi
fi

# ---- ping through a TAP interface in a network namespace of our own.
if ! make_netns miou-spt-$$; then
    skip "ping answers the host's ping under solo5-spt" "no network namespace: $(show "$tmp/err")"
    exit 0
fi
in_ns ip tuntap add dev tap0 mode tap &&
    in_ns ip link set tap0 up &&
    in_ns ip addr add 10.78.0.1/24 dev tap0 || {
    fail "ping under solo5-spt: cannot set up tap0 in $ns"
    exit 0
}
# pings LABEL OUT BOOT COMMAND...: run COMMAND (a unikernel answering for
# 10.78.0.2 on tap0) in the namespace, give it BOOT seconds, ping it 20
# times from the namespace, then end it (its status is not ours: it would
# answer until --seconds).
pings() {
    local label=$1 out=$2 boot=$3 uk
    shift 3
    ip netns exec "$ns" timeout -k 5 60 "$@" >"$out" 2>&1 &
    uk=$!
    sleep "$boot"
    if in_ns ping -c 20 -i 0.05 -W 1 10.78.0.2 >"$tmp/ping.out" 2>&1 &&
        grep -q ' 0% packet loss' "$tmp/ping.out"; then
        ok "ping under $label answers 20 of 20 pings of the host through tap0"
    else
        fail "ping under $label: $(grep -E 'packet loss' "$tmp/ping.out") $(show "$out")"
    fi
    kill "$uk" 2>/dev/null
    wait "$uk" 2>/dev/null
}

pings solo5-spt "$tmp/ping.spt.out" 1 "$spt" --mem=64 --net:service=tap0 \
    build/spt/examples/ping.spt --solo5:quiet 10.78.0.2 --seconds=20

# The test programs' runs on a net device ({net}: tap0 here; a connect
# to an address nobody answers sends its ARP requests there).
for entry in "${net_runs[@]}"; do
    name=${entry%%|*}
    solo5_run_of "${entry#*|}"
    o=$tmp/$name$label.spt.out
    ip netns exec "$ns" timeout -k 5 300 "$spt" --mem=256 "${opts[@]}" \
        "build/spt/tests/$name.spt" "${args[@]}" >"$o" 2>&1
    rc=$?
    n=$(results "$o" | grep -c '^ok|')
    if [ $rc -eq 0 ] && grep -qE '^# [a-z0-9_-]+: [0-9]+ passed, 0 failed' "$o"; then
        ok "$name${label:+ ($label)} under solo5-spt on tap0: $n cases pass"
    else
        fail "$name${label:+ ($label)} under solo5-spt: exit status $rc: $(grep -m 3 -E '^not ok|rror|bort' "$o" | tr '\n' '|')"
    fi
done

# The same through a virtio-net device of a virtual machine in qemu, on
# the same tap0 (the path where a net write can answer SOLO5_R_AGAIN). The
# machine boots in about 0.2 s; ARP waits for it.
if [ "$arch" = x86_64 ] && [ -n "$qemu" ] && [ -e build/virtio/examples/ping.virtio ]; then
    pings "Solo5's virtio target in qemu" "$tmp/ping.vm.out" 2 \
        "${qemu_vm[@]}" -m 128 \
        -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
        -device virtio-net,netdev=n0,addr=0x3,bus=pci.0 \
        -kernel build/virtio/examples/ping.virtio \
        -append "--solo5:quiet 10.78.0.2 --seconds=20"
else
    skip "ping under Solo5's virtio target in qemu" "no qemu-system-x86_64 or no virtio build"
fi
exit 0
