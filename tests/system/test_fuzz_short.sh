#!/bin/bash
# Every libFuzzer harness (tools/fuzz/fuzz_*.c) builds and runs 10 s on its
# seed corpus without a crash, leak or sanitizer report. One PASS or FAIL
# line per harness; a FAIL shows the crash summary and the fuzzer log tail.
source "$(dirname "$0")/lib.sh"
SECONDS_EACH=10

out=$(timeout 300 tools/fuzz.sh --seconds $SECONDS_EACH 2>&1)
rc=$?
for f in tools/fuzz/fuzz_*.c; do
	h=$(basename "$f" .c)
	line=$(grep -m1 "^fuzz $h: " <<<"$out")
	# the indented detail lines fuzz.sh prints under a harness's line
	detail=$(awk -v h="fuzz $h: " 'index($0, h) == 1 { on = 1; next } /^fuzz / { on = 0 } on' <<<"$out")
	TRACE=build/fuzz/$h.log
	case $line in
	"fuzz $h: ok "*) pass "$h ran $SECONDS_EACH s without a crash" ;;
	"") fail "$h: no result from tools/fuzz.sh (status $rc)" "$(tail -n 3 <<<"$out")" ;;
	*) fail "$h: ${line#fuzz $h: }" "$(sed '1s/^ *//' <<<"$detail")" ;;
	esac
done
