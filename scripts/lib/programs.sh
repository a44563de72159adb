# shellcheck shell=bash
# How every runner runs a test program (tests/NAME.c, tests/hosted/NAME.c):
# the runs it declares in NAME.run beside it, their devices made for the
# platform at hand, and its output turned into result lines. Sourced after
# scripts/lib/check.sh (for $tmp, ok, fail). Read by scripts/test.sh
# (hosted, sim and their variants) and scripts/check_solo5.sh (spt and
# virtio).
#
# NAME.run holds one run a line (none: one run without arguments);
# '#' starts a comment:
#
#   LABEL: WORDS... [=> STATUS; TEXT; TEXT...]
#
# LABEL names the run in the result lines ("-" for a program's only run);
# WORDS are given to the program as to a tender: its options, then "--",
# then the unikernel's arguments. Placeholders in WORDS:
#   {dir}          a fresh folder of this run's
#   {FILE:SIZE}    a zeroed file FILE of SIZE bytes (K, M suffixes) made in
#                  it; {FILE} alone is its path
#   {net}          a net device nobody answers: two UNIX sockets on hosted,
#                  the "silent" peer under sim, tap0 in a namespace of the
#                  runner's under Solo5
# A test program (test_*) prints its own result lines; for a program that
# must die (death_*), "=> STATUS; TEXT..." says the exit status wanted and
# the texts its output must hold.

# runs_of SOURCE: the run lines of SOURCE (its .run file, comments and
# blank lines left out), or "-:" for a program without one.
runs_of() {
    local file=${1%.c}.run
    if [ -e "$file" ]; then
        sed -e 's/[[:space:]]*#.*$//' -e '/^[[:space:]]*$/d' "$file"
    else
        echo "-:"
    fi
}

# size_bytes SIZE: SIZE (with an optional K or M) in bytes.
size_bytes() {
    case $1 in
    *K) echo $((${1%K} * 1024)) ;;
    *M) echo $((${1%M} * 1048576)) ;;
    *) echo "$1" ;;
    esac
}

# expand_words PLATFORM DIR WORDS...: the words with their placeholders
# replaced, one a line (files made in DIR). PLATFORM: hosted, sim or
# solo5.
expand_words() {
    local platform=$1 dir=$2 w name size out
    shift 2
    for w in "$@"; do
        while [[ $w =~ \{([a-z0-9_.-]+)(:([0-9]+[KM]?))?\} ]]; do
            name=${BASH_REMATCH[1]}
            size=${BASH_REMATCH[3]}
            case $name in
            dir) out=$dir ;;
            net)
                case $platform in
                sim) out=silent ;;
                solo5) out=tap0 ;;
                *) out="unix:$dir/net.local,$dir/net.peer" ;;
                esac ;;
            *)
                out=$dir/$name
                [ -n "$size" ] && head -c "$(size_bytes "$size")" /dev/zero >"$out" ;;
            esac
            w=${w/"${BASH_REMATCH[0]}"/$out}
        done
        printf '%s\n' "$w"
    done
}

# run_parse LINE: split a run line into $run_label, $run_words (an
# array) and $run_expect (what follows "=>", or nothing).
run_parse() {
    local line=$1 words
    run_label=${line%%:*}
    line=${line#*:}
    run_expect=
    if [[ $line == *"=>"* ]]; then
        run_expect=${line#*=>}
        line=${line%%=>*}
    fi
    read -r -a words <<<"$line"
    run_words=("${words[@]}")
}

# mode_of MODE LABEL: the prefix of a run's result lines: MODE, or
# MODE/LABEL for one of several runs.
mode_of() { if [ "$2" = - ]; then echo "$1"; else echo "$1/$2"; fi; }

# explain FILE: the lines of FILE that explain a failure (sanitizer and
# valgrind reports first, else its end), each as a "#" line.
explain() {
    local lines
    lines=$(grep -E '^==[0-9]+==|ERROR: |runtime error:|^SUMMARY:|fatal|Segmentation|Aborted|Killed' "$1" | head -n 20)
    [ -n "$lines" ] || lines=$(tail -n 15 "$1")
    [ -n "$lines" ] || lines="(no output)"
    printf '%s\n' "$lines" | sed 's/^/#   /'
}

# capture FILE SECONDS COMMAND...: run COMMAND with a time limit, its
# output and errors into FILE (the shell's own "Segmentation fault" line
# included: the subshell reports it); its exit status.
capture() {
    local file=$1 secs=$2
    shift 2
    (
        timeout -k 10 "$secs" "$@"
        exit $?
    ) >"$file" 2>&1
}

# relay FILE MODE: echo the result lines of FILE with MODE/ before each
# topic; $nfail is the number of failed ones.
nfail=0
relay() {
    local line
    nfail=0
    while IFS= read -r line; do
        case $line in
        "ok - "* | "skip - "*) echo "${line%% - *} - $2/${line#* - }" ;;
        "not ok - "*)
            echo "not ok - $2/${line#not ok - }"
            nfail=$((nfail + 1)) ;;
        "#   also: "*) echo "$line" ;;
        esac
    done <"$1"
}

# run_test MODE NAME SECONDS COMMAND...: run a test program, relay its
# result lines, and fail it as a whole when it did not finish (no closing
# "# TOPIC: N passed, ..." line), timed out, or exited with a status that
# contradicts its cases (valgrind's errors: status 99).
run_test() {
    local mode=$1 name=$2 secs=$3 out rc
    shift 3
    out="$tmp/${mode//\//-}.$name.out"
    capture "$out" "$secs" "$@"
    rc=$?
    relay "$out" "$mode"
    local topic="$mode/$name"
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        fail "timed out after $secs s"
        explain "$out"
    elif ! grep -qE '^# [^ ]+: [0-9]+ passed, [0-9]+ failed' "$out"; then
        fail "did not finish (exit status $rc)"
        explain "$out"
    elif [ $rc -eq 99 ] && [[ $mode == valgrind* ]]; then
        fail "valgrind reported errors"
        explain "$out"
    elif [ $rc -ne 0 ] && [ $nfail -eq 0 ]; then
        fail "exit status $rc although no case failed"
        explain "$out"
    elif [ $rc -eq 0 ] && [ $nfail -ne 0 ]; then
        fail "exit status 0 although $nfail cases failed"
    fi
}

# run_death MODE NAME LABEL EXPECT SECONDS COMMAND...: a program that must
# die: EXPECT is "STATUS; TEXT; TEXT..." (default "255; fatal").
run_death() {
    local mode=$1 name=$2 label=$3 expect=${4:-255; fatal} secs=$5 out rc
    local want text missing= texts=()
    shift 5
    IFS=';' read -r -a texts <<<"$expect"
    want=${texts[0]// /}
    out="$tmp/${mode//\//-}.$name.$RANDOM.out"
    capture "$out" "$secs" "$@"
    rc=$?
    for text in "${texts[@]:1}"; do
        text=$(echo "$text" | sed 's/^ *//; s/ *$//')
        grep -qF -- "$text" "$out" || missing="$missing '$text'"
    done
    local topic="$mode/death" what="$name${label:+ ($label)}: exits with status $want"
    if [ $rc -ne "$want" ]; then
        fail "$what: exit status $rc"
        explain "$out"
    elif [ -n "$missing" ]; then
        fail "$what: the message lacks$missing"
        explain "$out"
    else
        ok "$what and says so ($(echo "${expect#*;}" | sed 's/^ *//; s/ *; */, /g'))"
    fi
}

# run_program MODE PLATFORM DIR SOURCE SECONDS [RUNNER...]: every run of
# the program of SOURCE, built as DIR/NAME, with RUNNER's words (valgrind,
# qemu-aarch64, ...) before it. A CASE filter ($case_filter, "TOPIC" or
# "TOPIC: SENTENCE") goes to test programs as their filter argument.
case_filter=
run_program() {
    local mode=$1 platform=$2 dir=$3 src=$4 secs=$5 name line d words
    shift 5
    name=$(basename "$src" .c)
    if [ ! -x "$dir/$name" ]; then
        topic="$mode/$name" fail "$dir/$name was not built"
        return
    fi
    while IFS= read -r line; do
        run_parse "$line"
        d=$(mktemp -d -p "$tmp" run.XXXXXX)
        mapfile -t words < <(expand_words "$platform" "$d" "${run_words[@]}")
        if [[ $name == death_* ]]; then
            run_death "$mode" "$name" "${run_label#-}" "$run_expect" "$secs" \
                "$@" "$dir/$name" "${words[@]}"
        else
            if [ -n "$case_filter" ]; then
                has_args "${words[@]}" || words+=(--)
                words+=("$case_filter")
            fi
            run_test "$(mode_of "$mode" "$run_label")" "$name" "$secs" \
                "$@" "$dir/$name" "${words[@]}"
        fi
    done < <(runs_of "$src")
}

# has_args WORDS...: whether WORDS already hold the "--" before the
# unikernel's arguments.
has_args() {
    local w
    for w in "$@"; do [ "$w" = -- ] && return 0; done
    return 1
}

# program_selected SOURCE: whether the program of SOURCE runs under the
# CASE filter: all do without one; with "TOPIC[: SENTENCE]", test_TOPIC
# (dashes in TOPIC as underscores) or the program named TOPIC.
program_selected() {
    local name topic
    [ -z "$case_filter" ] && return 0
    name=$(basename "$1" .c)
    topic=${case_filter%%:*}
    [ "$name" = "test_${topic//-/_}" ] || [ "$name" = "$topic" ]
}
