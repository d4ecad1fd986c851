#!/bin/bash
# Fuzz the pure-C parsers and the entry-check validator with libFuzzer.
#
#   tools/fuzz.sh [--seconds N] [--jobs N] [HARNESS...]
#
# Builds each tools/fuzz/HARNESS.c (default: all of them) into build/fuzz/
# with clang's libFuzzer, ASan and UBSan, then runs it for N seconds
# (default 60) on build/fuzz/corpus-HARNESS, seeded from
# tools/fuzz/corpus/HARNESS/ (the corpus grows in build/, git stays clean).
# --jobs N fuzzes N harnesses at once (default: all at once).
# Prints one line per harness:
#   fuzz NAME: ok (EXECS execs in N s)
#   fuzz NAME: CRASH build/fuzz/artifacts-NAME/crash-...   (+ reason, hex dump)
#   fuzz NAME: BUILD FAILED                                 (+ compiler output)
# Exit status 1 if any harness crashed or failed to build, 2 on a usage error.
# Reproduce a crash: build/fuzz/NAME ARTIFACT. FUZZ_CC picks the compiler
# (default clang; it needs libFuzzer, Debian: libclang-rt-dev).
set -u
cd "$(dirname "$0")/.."
B=build/fuzz
CC=${FUZZ_CC:-clang}
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-std=gnu11 -Wall -Wextra -Werror -I."
seconds=60
jobs=0
names=()

usage() { echo "usage: tools/fuzz.sh [--seconds N] [--jobs N] [HARNESS...]" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage; seconds=$2; shift 2 ;;
	--jobs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage; jobs=$2; shift 2 ;;
	-h|--help) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) usage ;;
	*) names+=("$1"); shift ;;
	esac
done
if [ ${#names[@]} -eq 0 ]; then
	for f in tools/fuzz/fuzz_*.c; do names+=("$(basename "$f" .c)"); done
fi
[ "$jobs" -eq 0 ] && jobs=${#names[@]}

# The project sources each harness links (never a main()).
sources() {
	case $1 in
	fuzz_validate) echo vmm/shadow/*.c arch/x86/vmcs_fields.c tests/unit/baseline.c ;;
	fuzz_casefile) echo vmm/shadow/*.c arch/x86/vmcs_fields.c tests/unit/baseline.c rig/entrycheck/casefile.c vmm/fmt.c ;;
	fuzz_trace_parse) ls tools/trace/*.c | grep -v '/main\.c$' ;;
	*) return 1 ;;
	esac
}

# Longest input: trace lines go up to TRACE_MAX_LINE (4096) and beyond.
max_len() {
	case $1 in
	fuzz_trace_parse) echo 16384 ;;
	*) echo 4096 ;;
	esac
}

build() {
	local n=$1 src
	[ -f "tools/fuzz/$n.c" ] || { echo "no such harness: tools/fuzz/$n.c"; return 1; }
	src=$(sources "$n") || { echo "no source list for $n in tools/fuzz.sh"; return 1; }
	# shellcheck disable=SC2086
	$CC $CFLAGS -o "$B/$n" "tools/fuzz/$n.c" $src
}

# fuzz NAME: runs one harness, leaves its result line in $B/NAME.result.
fuzz() {
	local n=$1 corpus=$B/corpus-$1 art=$B/artifacts-$1 log=$B/$1.log
	rm -rf "$art"
	mkdir -p "$corpus" "$art"
	[ -d "tools/fuzz/corpus/$n" ] && cp -n tools/fuzz/corpus/"$n"/* "$corpus"/ 2>/dev/null
	"$B/$n" -max_total_time="$seconds" -timeout=25 -max_len="$(max_len "$n")" \
		-print_final_stats=1 -artifact_prefix="$art/" "$corpus" >"$log" 2>&1
	local rc=$? crash
	crash=$(find "$art" -type f | head -n 1)
	if [ $rc -eq 0 ] && [ -z "$crash" ]; then
		local execs
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		echo "fuzz $n: ok (${execs:-?} execs in $seconds s)" >"$B/$n.result"
		return
	fi
	{
		echo "fuzz $n: CRASH ${crash:-(no artifact; status $rc, see $log)}"
		grep -E '^(SUMMARY|==[0-9]+==ERROR|fuzz_[a-z_]+:|[^ ]*: runtime error)' "$log" | head -n 5 | sed 's/^/    /'
		[ -n "$crash" ] && od -A x -t x1z -v "$crash" | tail -n 8 | sed 's/^/    /'
	} >"$B/$n.result"
}

mkdir -p "$B"
if ! command -v "$CC" >/dev/null; then
	for n in "${names[@]}"; do echo "fuzz $n: BUILD FAILED ($CC not found; install clang and libclang-rt-dev)"; done
	exit 1
fi
status=0 ok=()
for n in "${names[@]}"; do
	rm -f "$B/$n.result"
	if out=$(build "$n" 2>&1); then
		ok+=("$n")
	else
		echo "fuzz $n: BUILD FAILED" >"$B/$n.result"
		echo "$out" | head -n 20 | sed 's/^/    /' >>"$B/$n.result"
	fi
done
running=0
for n in "${ok[@]}"; do
	fuzz "$n" &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
for n in "${names[@]}"; do
	cat "$B/$n.result"
	grep -q "^fuzz $n: ok " "$B/$n.result" || status=1
done
exit $status
