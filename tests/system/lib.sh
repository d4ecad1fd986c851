# Helpers for system tests: boot an emulator with a timeout, then assert on
# the serial trace. Every assertion prints one PASS or FAIL line; a FAIL
# shows the tail of the trace, so a hang or a crash explains itself.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
TEST=$(basename "$0" .sh)
TRACE=""

tail_trace() {
	echo "    --- last lines of $TRACE ---"
	# sed ends the last line with a newline, also when the trace's has none
	if [ -f "$TRACE" ]; then tail -n "${1:-15}" "$TRACE" | sed 's/^/    | /;$a\'; else echo "    (no trace file)"; fi
}

# A test run alone (bash tests/system/test_x.sh) exits 1 if any assertion
# failed, 0 otherwise: the EXIT trap turns the count into the status.
FAILS=0
pass() { echo "PASS $TEST: $1"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL $TEST: $1"; [ -n "${2:-}" ] && echo "    $2"; tail_trace; }
trap 'rc=$?; [ "$FAILS" -gt 0 ] && rc=1; exit $rc' EXIT

# boot_bochs NAME TIMEOUT CMDLINE [MODULE] — sets TRACE; asserts the run ended.
boot_bochs() {
	local dir="$ROOT/build/systest/$1"
	rm -rf "$dir"
	mkdir -p "$dir"
	TRACE="$dir/serial.txt"
	tools/run-bochs.sh "$dir" "$2" "$3" "${4:-}"
	local rc=$?
	case $rc in
	0) pass "$1: bochs run reached hv ev=halt" ;;
	124) fail "$1: bochs run timed out after $2 s (hang)" ;;
	*) fail "$1: bochs run ended without hv ev=halt (status $rc)" "$(tail -3 "$dir/bochs.log" 2>/dev/null)" ;;
	esac
	return $rc
}

# expect NAME COMMAND... — PASS when the command succeeds.
expect() {
	local name=$1; shift
	local why
	if why=$("$@" 2>&1); then pass "$name"; else fail "$name" "$why"; fi
}

# has REGEX — the trace has a line matching REGEX (grep -E).
has() { grep -Eq -- "$1" "$TRACE" || { echo "no line matches: $1"; return 1; }; }
# hasnt REGEX — no line matches.
hasnt() { ! grep -Eq -- "$1" "$TRACE" || { echo "unexpected: $(grep -Em1 -- "$1" "$TRACE")"; return 1; }; }
# events — only trace lines (no firmware noise).
events() { grep -aE '^(hv |vm=[0-9]+ )' "$TRACE"; }
