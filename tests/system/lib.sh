# Helpers for system tests: boot an emulator with a timeout, then assert on
# the serial trace. Every assertion prints one PASS or FAIL line; a FAIL
# shows the tail of the trace, so a hang or a crash explains itself.
#
# Machines: a test named test_*_bochs.sh runs once per machine in MACHINES
# (space-separated): bochs27 (Debian's Bochs 2.7, GRUB, the multiboot2
# kernel) and bochs-uefi (upstream Bochs, OVMF, BOOTX64.EFI). The script
# re-runs itself with MACHINE set; its PASS/FAIL lines say the machine:
# "PASS test_hello_bochs[bochs-uefi]: ...". Default MACHINES: both when
# upstream Bochs is built (tools/build-bochs.sh; tests/run.sh builds it),
# else bochs27.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
TEST=$(basename "$0" .sh)
TRACE=""
if [[ $TEST == *_bochs ]]; then
	if [ -z "${MACHINE:-}" ]; then
		if [ -z "${MACHINES:-}" ]; then
			MACHINES=bochs27
			tools/build-bochs.sh --print-path >/dev/null 2>&1 && MACHINES="bochs27 bochs-uefi"
		fi
		rc=0
		for m in $MACHINES; do MACHINE=$m bash "$0" "$@" || rc=1; done
		exit $rc
	fi
	TEST="${TEST}[$MACHINE]"
fi

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

# The boot path the machine's image takes, as the boot line names it.
boot_path() { case ${MACHINE:-bochs27} in bochs-uefi) echo uefi ;; *) echo multiboot2 ;; esac; }

# boot MACHINE NAME TIMEOUT CMDLINE [MODULE] — sets TRACE; asserts the run
# ended. MODULE (a case file) is a GRUB module on bochs27 and a file on
# the ESP on bochs-uefi. OVMF's boot costs more than GRUB's: the timeout
# is doubled there.
boot() {
	local m=$1; shift
	local dir="$ROOT/build/systest/$m/$1" t=$2
	rm -rf "$dir"
	mkdir -p "$dir"
	TRACE="$dir/serial.txt"
	case $m in
	bochs27) tools/run-bochs.sh "$dir" "$t" "$3" "${4:-}" ;;
	bochs-uefi) t=$((t * 2)); tools/run-uefi-bochs.sh "$dir" "$t" "$3" "${4:-}" ;;
	*) fail "$1: unknown machine $m (bochs27 or bochs-uefi)"; return 2 ;;
	esac
	local rc=$?
	[ $rc -ne 124 ] && grep -q '^hv ev=halt' "$TRACE" 2>/dev/null && rc=0
	case $rc in
	0) pass "$1: $m run reached hv ev=halt" ;;
	124) fail "$1: $m run timed out after $t s (hang)" ;;
	*) fail "$1: $m run ended without hv ev=halt (status $rc)" "$(tail -3 "$dir/bochs.log" 2>/dev/null)" ;;
	esac
	return $rc
}

# boot_bochs NAME TIMEOUT CMDLINE [MODULE] — boot on this run's machine.
boot_bochs() { boot "${MACHINE:-bochs27}" "$@"; }

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
