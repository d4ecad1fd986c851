#!/usr/bin/env bash
# Tests of svtrace, the trace reader (tools/trace, docs/TRACE.md).
# Prints one line per test, `PASS name` or `FAIL name: why`; exits 0 if all
# passed. Usage: tests/trace/run.sh [--asan]
#   --asan  build and test build/tools/svtrace-asan (address,undefined)
# SVTRACE=path overrides the binary under test.
set -u
cd "$(dirname "$0")/../.." || exit 1

T=tests/trace
CFLAGS="-std=gnu11 -O2 -Wall -Wextra -Werror"
BIN=build/tools/svtrace
if [ "${1:-}" = "--asan" ]; then
	BIN=build/tools/svtrace-asan
	CFLAGS="-std=gnu11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all"
fi
BIN=${SVTRACE:-$BIN}

# Build if missing or older than a source file.
if [ -z "${SVTRACE:-}" ]; then
	stale=0
	[ -x "$BIN" ] || stale=1
	for src in tools/trace/*.c tools/trace/*.h vmm/trace_events.def; do
		[ "$src" -nt "$BIN" ] && stale=1
	done
	if [ $stale = 1 ]; then
		mkdir -p build/tools
		version=$(git describe --always --dirty 2>/dev/null || echo unknown)
		if ! gcc $CFLAGS -DSV_VERSION="\"$version\"" -o "$BIN" tools/trace/*.c >build/tools/svtrace-build.log 2>&1; then
			echo "FAIL build: gcc failed, see build/tools/svtrace-build.log"
			exit 1
		fi
	fi
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failed=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }

# run NAME ARGS... : runs svtrace, leaves $TMP/out, $TMP/err, $rc
run() {
	"$BIN" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
}

# A crash (signal, sanitizer report) is never an acceptable result.
crashed() {
	[ $rc -ge 3 ] || grep -q 'Sanitizer\|runtime error' "$TMP/err"
}

expect_ok() {  # name file events vms
	run check "$2"
	local want="svtrace: $2: ok ($3 events, $4 VMs)"
	if [ $rc -ne 0 ]; then fail "$1" "exit $rc: $(head -c 300 "$TMP/err")"
	elif [ "$(cat "$TMP/out")" != "$want" ]; then fail "$1" "stdout '$(cat "$TMP/out")', want '$want'"
	elif [ -s "$TMP/err" ]; then fail "$1" "unexpected stderr: $(head -c 300 "$TMP/err")"
	else pass "$1"; fi
}

# Broken traces: line 1 is `# expect: RULE line N[, RULE line M...]`; the
# violations reported must be exactly these.
expect_broken() {  # file
	local f=$1 name want got
	name="check-$(basename "$f" | sed 's/\.[a-z]*$//')"
	want=$(head -n 1 "$f" | sed 's/^# expect: //' | tr ',' '\n' |
		sed -n 's/^ *\([a-z-]*\) line \([0-9]*\) *$/\2: \1/p' | sort)
	run check "$f"
	got=$(sed -n "s/^svtrace: $(printf '%s' "$f" | sed 's/[.[\*^$/]/\\&/g'):\([0-9]*\): \([a-z-]*\): .*/\1: \2/p" "$TMP/err" | sort)
	if crashed; then fail "$name" "crashed (exit $rc)"
	elif [ -z "$want" ]; then fail "$name" "no '# expect:' line"
	elif [ $rc -ne 1 ]; then fail "$name" "exit $rc, want 1"
	elif [ "$want" != "$got" ]; then fail "$name" "want [$(echo $want)], got [$(echo $got)]"
	else pass "$name"; fi
}

expect_ok check-good-3vm $T/good-3vm.txt 62 3
expect_ok check-good-threshold $T/good-threshold.txt 46 2
expect_ok check-real-yield $T/real-yield.txt 435 3
# Two logical processors, a move from cpu 0 to cpu 1 (docs/smp-moves.md).
expect_ok check-good-2cpu-move $T/good-2cpu-move.txt 45 2
# cpu= past TRACE_MAX_CPU - 1 is malformed; a line without cpu= is cpu 0.
sed 's/^vm=1 ev=move from=0 to=1 cpu=1$/vm=1 ev=move from=0 to=1 cpu=256/' $T/good-2cpu-move.txt >"$TMP/cpu-range.txt"
run check "$TMP/cpu-range.txt"
if [ $rc -eq 1 ] && grep -q ':29: malformed: cpu= number larger than 255$' "$TMP/err"
then pass check-cpu-range; else fail check-cpu-range "exit $rc: $(head -c 300 "$TMP/err")"; fi
# trace=summary (a real fastpath=on run): no per-entry events, so only the
# syntax and the end are checked, and the ok line says what was skipped.
run check $T/good-summary.txt
if [ $rc -eq 0 ] && [ "$(cat "$TMP/out")" = "svtrace: $T/good-summary.txt: ok (39 events, 5 VMs); trace=summary: per-entry rules and counters not checked" ]
then pass check-good-summary; else fail check-good-summary "exit $rc: $(cat "$TMP/out") $(head -c 300 "$TMP/err")"; fi
# Its summary takes each VM's counters from its ev=stats line.
run summary $T/good-summary.txt
if [ $rc -eq 0 ] && grep -Eq '^1 +[a-z0-9]+ +202 +1 +201 +202 +153 +201 +198 +4 ' "$TMP/out"
then pass summary-from-stats; else fail summary-from-stats "exit $rc: $(head -12 "$TMP/out")"; fi
# There, a move is told (ev=move is not a per-entry event) but its VMCLEAR
# and VMPTRLD are not: the move rules are skipped too.
awk '{ print } /^vm=1 ev=create / { print "vm=1 ev=move from=0 to=1 cpu=1" }' $T/good-summary.txt >"$TMP/summary-move.txt"
run check "$TMP/summary-move.txt"
if [ $rc -eq 0 ] && grep -q 'ok (40 events, 5 VMs); trace=summary' "$TMP/out"
then pass check-summary-with-move; else fail check-summary-with-move "exit $rc: $(cat "$TMP/out") $(head -c 300 "$TMP/err")"; fi
for f in $T/broken-*; do
	expect_broken "$f"
done

# Input that is not a readable file.
run check $T/no-such-file.txt
if [ $rc -eq 1 ] && grep -q "^svtrace: $T/no-such-file.txt: cannot open: No such file or directory$" "$TMP/err"
then pass check-missing-file; else fail check-missing-file "exit $rc: $(cat "$TMP/err")"; fi
run check $T
if [ $rc -eq 1 ] && grep -q "^svtrace: $T: cannot read: is a directory$" "$TMP/err"
then pass check-directory; else fail check-directory "exit $rc: $(cat "$TMP/err")"; fi

# Standard input, "-", CRLF line ends, no final newline, several files.
"$BIN" check <$T/good-3vm.txt >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ $rc -eq 0 ] && [ "$(cat "$TMP/out")" = "svtrace: <stdin>: ok (62 events, 3 VMs)" ]
then pass check-stdin; else fail check-stdin "exit $rc: $(cat "$TMP/out" "$TMP/err")"; fi
"$BIN" check - <$T/good-3vm.txt >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ $rc -eq 0 ] && grep -q "<stdin>: ok" "$TMP/out"
then pass check-dash-stdin; else fail check-dash-stdin "exit $rc"; fi
sed 's/$/\r/' $T/good-3vm.txt >"$TMP/crlf.txt"
expect_ok check-crlf "$TMP/crlf.txt" 62 3
printf '%s' "$(cat $T/good-3vm.txt)" >"$TMP/nonl.txt"
expect_ok check-no-final-newline "$TMP/nonl.txt" 62 3
run check $T/good-3vm.txt $T/broken-n-skip.txt
if [ $rc -eq 1 ] && grep -q "good-3vm.txt: ok" "$TMP/out" && grep -q "broken-n-skip.txt:42: one-launch" "$TMP/err"
then pass check-several-files; else fail check-several-files "exit $rc"; fi

# Usage errors exit 2.
for args in "" "frobnicate" "check -x" "timeline -o"; do
	run $args
	if [ $rc -eq 2 ] && grep -q "usage:" "$TMP/err"
	then pass "usage-'$args'"; else fail "usage-'$args'" "exit $rc, want 2"; fi
done

# summary
run summary $T/good-3vm.txt
if [ $rc -ne 0 ]; then fail summary-good "exit $rc"
elif ! grep -q '^policy: first$' "$TMP/out"; then fail summary-good "no policy line"
elif ! grep -Eq '^total +8 +3 +5 +8 +288 +4 +3 +5 +5 +2 +3 +2 +5136' "$TMP/out"; then fail summary-good "wrong total row"
elif ! grep -Eq '^3 +pager +2 +1 +1 +2 +96 +0 +1 +1 +1 +0 +1 +0 +1024 +stopped: guest halted$' "$TMP/out"; then fail summary-good "wrong vm 3 row"
elif ! grep -q 'vm=2 counter: io=1 preemption_timer=1 vmcall=1' "$TMP/out"; then fail summary-good "wrong exits by reason"
else pass summary-good; fi
# Binary garbage or an empty file is "not a trace" for every command.
for cmd in summary timeline compare; do
	for f in $T/broken-garbage.bin $T/broken-empty.txt; do
		run $cmd "$f"
		if crashed || [ $rc -ne 1 ]; then fail "$cmd-not-a-trace-$(basename "$f")" "exit $rc, want 1"
		elif ! grep -q "^svtrace: $f: not a shadowvisor trace: no valid event line" "$TMP/err"
		then fail "$cmd-not-a-trace-$(basename "$f")" "no clear error: $(head -c 200 "$TMP/err")"
		else pass "$cmd-not-a-trace-$(basename "$f")"; fi
	done
done
# The config line is shown whole, however long (32 VMs).
vms=$(printf 'hello,cpuid,yield,realmode,%.0s' 1 2 3 4 5 6 7 8 | sed 's/,$//')
sed "s/^hv ev=config vms=[^ ]*/hv ev=config vms=$vms,selfexit/" $T/good-3vm.txt >"$TMP/long-config.txt"
run summary "$TMP/long-config.txt"
if [ $rc -ne 0 ]; then fail summary-long-config "exit $rc"
elif ! grep -q "^config: vms=$vms,selfexit policy=" "$TMP/out"
then fail summary-long-config "config line cut: $(grep '^config:' "$TMP/out" | head -c 200)"
else pass summary-long-config; fi
run summary $T/no-such-file.txt
if [ $rc -eq 1 ]; then pass summary-missing-file; else fail summary-missing-file "exit $rc"; fi

# summary: one row per processor; a trace without cpu= is all cpu 0.
run summary $T/good-2cpu-move.txt
if [ $rc -ne 0 ]; then fail summary-per-cpu "exit $rc"
elif ! grep -Eq '^0 +24 +2 +1 +1 +1 +1 +0 +1 +1032 +0 +1$' "$TMP/out"; then fail summary-per-cpu "wrong cpu 0 row"
elif ! grep -Eq '^1 +21 +2 +2 +0 +2 +2 +0 +2 +2048 +1 +0$' "$TMP/out"; then fail summary-per-cpu "wrong cpu 1 row"
elif grep -q '^config:.*cpu=' "$TMP/out"; then fail summary-per-cpu "cpu= shown as configuration"
else pass summary-per-cpu; fi
run summary $T/good-3vm.txt
if [ $rc -eq 0 ] && grep -Eq '^0 +62 +8 +3 +3 +5 ' "$TMP/out" && [ "$(sed -n '/^per processor:/,/^$/p' "$TMP/out" | wc -l)" -eq 4 ]
then pass summary-no-cpu-is-cpu0; else fail summary-no-cpu-is-cpu0 "exit $rc: $(sed -n '/^per processor:/,/^$/p' "$TMP/out")"; fi

# timeline: well-formed, self-contained SVG with one row per VM.
svg_ok() {  # name file rows
	local n
	[ -f "$2" ] || { fail "$1" "no output file"; return; }
	n=$(grep -c 'class="row"' "$2")
	if [ "$(head -c 4 "$2")" != "<svg" ]; then fail "$1" "does not start with <svg"
	elif [ "$(tail -n 1 "$2")" != "</svg>" ]; then fail "$1" "does not end with </svg>"
	elif [ "$n" != "$3" ]; then fail "$1" "$n rows, want $3"
	elif grep -qi '<script\|href=' "$2"; then fail "$1" "not self-contained"
	elif ! grep -q 'class="legend"' "$2"; then fail "$1" "no legend"
	elif command -v python3 >/dev/null &&
	     ! python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$2" 2>/dev/null
	then fail "$1" "not well-formed XML"
	else pass "$1"; fi
}
run timeline $T/good-3vm.txt
if [ $rc -ne 0 ]; then fail timeline-good "exit $rc"; else svg_ok timeline-good "$TMP/out" 3; fi
run timeline -o "$TMP/t.svg" $T/good-threshold.txt
if [ $rc -ne 0 ] || [ -s "$TMP/out" ]; then fail timeline-output-file "exit $rc"
else svg_ok timeline-output-file "$TMP/t.svg" 2; fi
# The time axis: exits with tsc= place the marks in TSC ticks, with labels.
awk '/ ev=exit /{ $0 = $0 " tsc=" 1000000 + 2500 * NR } { print }' $T/good-3vm.txt >"$TMP/tsc.txt"
run timeline -o "$TMP/tsc.svg" "$TMP/tsc.txt"
marks=$(grep -Ec '^vm=[0-9]+ ev=(entry|exit|pmr op=(alloc|evict|flush))' "$TMP/tsc.txt")
if [ $rc -ne 0 ]; then fail timeline-tsc-axis "exit $rc"
elif ! grep -q '>TSC ticks since the first VM exit<' "$TMP/tsc.svg"; then fail timeline-tsc-axis "no axis title"
elif [ "$(grep -c 'text-anchor="middle">[0-9.]*[kMG]*</text>' "$TMP/tsc.svg")" -lt 3 ]; then fail timeline-tsc-axis "fewer than 3 tick labels"
else pass timeline-tsc-axis; fi
# Hover text on every mark; colours from the Okabe-Ito palette only.
titles=$(grep -c '<title>vm=' "$TMP/tsc.svg")
colours=$(grep -o 'fill="#[0-9A-Fa-f]*"\|stroke="#[0-9A-Fa-f]*"' "$TMP/tsc.svg" | grep -v '"#ffffff"\|"#333"\|"#ddd"' |
	sed 's/.*"\(#.*\)"/\1/' | sort -u | grep -vxiE '#(E69F00|56B4E9|009E73|F0E442|0072B2|D55E00|CC79A7|000000|999999)' | tr '\n' ' ')
if [ "$titles" != "$marks" ]; then fail timeline-hover-and-palette "$titles titles for $marks marks"
elif [ -n "$colours" ]; then fail timeline-hover-and-palette "colours outside the palette: $colours"
else pass timeline-hover-and-palette; fi
# The legend: each entry, cache and exit class once, no empty cell.
reasons=$(grep -o ' ev=exit .*reason=[a-z_]*' "$TMP/tsc.txt" | sed 's/.*reason=//' | sort -u | wc -l)
items=$(sed -n '/class="legend"/,/<\/g>/p' "$TMP/tsc.svg" | grep -c '<text x="[0-9]*" y="[0-9]*">[^<]')
if [ "$items" -ne $((6 + reasons)) ]; then fail timeline-legend "$items legend items, want $((6 + reasons))"
else pass timeline-legend; fi
if command -v rsvg-convert >/dev/null; then
	if rsvg-convert -o "$TMP/tsc.png" "$TMP/tsc.svg" 2>"$TMP/err" && [ -s "$TMP/tsc.png" ]
	then pass timeline-renders; else fail timeline-renders "rsvg-convert: $(head -c 200 "$TMP/err")"; fi
fi
# One lane per processor, entries in their VM's colour, the move drawn.
run timeline -o "$TMP/cpu.svg" $T/good-2cpu-move.txt
if [ $rc -ne 0 ]; then fail timeline-cpu-lanes "exit $rc"
elif [ "$(grep -c 'class="lane"' "$TMP/cpu.svg")" -ne 2 ]; then fail timeline-cpu-lanes "not 2 lanes"
elif ! grep -q '<title>move: vm=1 from cpu=0 to cpu=1; event 28</title>' "$TMP/cpu.svg"; then fail timeline-cpu-lanes "no move"
elif [ "$(grep -c '<title>cpu=1: vm=1 entry n=3;' "$TMP/cpu.svg")" -ne 1 ]; then fail timeline-cpu-lanes "vm 1's entry 3 not on cpu 1"
else svg_ok timeline-cpu-lanes "$TMP/cpu.svg" 2; fi
run timeline $T/good-3vm.txt $T/good-threshold.txt
if [ $rc -eq 2 ]; then pass timeline-one-file-only; else fail timeline-one-file-only "exit $rc"; fi

# compare: one column per file, labelled by file, with a policy row.
run compare $T/good-3vm.txt $T/good-threshold.txt
if [ $rc -ne 0 ]; then fail compare-two-policies "exit $rc"
elif ! grep -Eq '^policy +first +threshold:2$' "$TMP/out"; then fail compare-two-policies "bad header"
elif ! grep -Eq '^hit rate % +37\.5 +16\.7$' "$TMP/out"; then fail compare-two-policies "bad hit rate"
elif ! grep -Eq '^miss bytes +5136 +5128$' "$TMP/out"; then fail compare-two-policies "bad miss bytes"
elif ! grep -Eq '^allocs vm=3 pager +1 +-$' "$TMP/out"; then fail compare-two-policies "bad per-VM allocs"
else pass compare-two-policies; fi
# Two runs of one policy: the columns are told apart by their files.
cp $T/good-3vm.txt "$TMP/again.txt"
run compare $T/good-3vm.txt "$TMP/again.txt"
if [ $rc -ne 0 ]; then fail compare-labels-by-file "exit $rc"
elif ! grep -Eq '^file +good-3vm.txt +again.txt$' "$TMP/out"; then fail compare-labels-by-file "header: $(head -1 "$TMP/out")"
elif ! grep -Eq '^policy +first +first$' "$TMP/out"; then fail compare-labels-by-file "no policy row"
else pass compare-labels-by-file; fi
# svtrace --version names the build.
run --version
if [ $rc -eq 0 ] && grep -Eq '^svtrace [^ ]+$' "$TMP/out"; then pass version
else fail version "exit $rc: $(cat "$TMP/out" "$TMP/err")"; fi
run compare $T/good-3vm.txt $T/no-such-file.txt
if [ $rc -eq 1 ]; then pass compare-missing-file; else fail compare-missing-file "exit $rc"; fi

exit $failed
