#!/bin/bash
# The front door without an emulator: make run's variables are checked
# before anything boots, make help lists every target and variable, the
# runner's messages start on a line of their own, and a system test run
# alone exits 1 when an assertion fails.
. "$(dirname "$0")/lib.sh"
TRACE=$ROOT/build/systest/run-options/out.txt
mkdir -p "$(dirname "$TRACE")"

# refused VAR=VALUE TEXT: make run with it fails before booting, saying TEXT.
refused() {
	local out rc
	out=$(cd "$ROOT" && env "$1" timeout 60 make --no-print-directory run 2>&1)
	rc=$?
	[ $rc -ne 0 ] || { echo "make run $1 exited 0: $(tail -3 <<<"$out")"; return 1; }
	grep -q "$2" <<<"$out" || { echo "no \"$2\" in: $(tail -3 <<<"$out")"; return 1; }
	! grep -q 'booting\|hv ev=' <<<"$out" || { echo "it booted: $(grep -m1 'booting\|hv ev=' <<<"$out")"; return 1; }
}

expect "VMS='hello;yield' is refused before booting" refused 'VMS=hello;yield' 'run: VMS=hello\\;yield is not accepted'
expect "VMS with a space is refused" refused 'VMS=hello yield' 'run: VMS=hello\\ yield is not accepted'
expect "VMS with a quote is refused" refused "VMS=hello\"" 'is not accepted'
expect "VMS= (set but empty) is refused, not the demo" refused 'VMS=' 'run: VMS is set but empty'
expect "an unknown guest is refused before booting" refused 'VMS=hello,nosuch' 'unknown guest "nosuch"'
expect "TRACE= (empty) is refused" refused 'TRACE=' 'run: TRACE is set but empty'
expect "FASTPATH=maybe is refused" refused 'FASTPATH=maybe' 'run: FASTPATH=maybe is not accepted'
expect "POLICY=bogus is refused" refused 'POLICY=bogus' 'run: POLICY=bogus is not accepted'
expect "SLOTS=9 is refused" refused 'SLOTS=9' 'run: SLOTS=9 is not accepted'
expect "QUANTUM=0 is refused" refused 'QUANTUM=0' 'run: QUANTUM=0 is not accepted'
expect "ENTRYCHECK naming no file is refused" refused 'ENTRYCHECK=nofile.txt' 'no case file nofile.txt'
expect "TIMEOUT=x is refused" refused 'TIMEOUT=x' 'TIMEOUT=x is not a number'

# Every variable reaches the hypervisor's command line.
cmdline_has() {
	local got
	got=$(env VMS=hello,yield POLICY=history:4 SLOTS=1 QUANTUM=5000 TRACE=summary FASTPATH=off \
		ENTRYCHECK=random:1:10 tools/run.sh --check) || return 1
	[ "$got" = "vms=hello,yield policy=history:4 slots=1 quantum=5000 trace=summary fastpath=off entrycheck=random:1:10" ] ||
		{ echo "command line: $got"; return 1; }
}
expect "every variable is passed to the hypervisor" cmdline_has

# make help: every target with a recipe in the Makefile, every variable.
help_complete() {
	local h t v
	h=$(make --no-print-directory help) || return 1
	for t in all images run run-bochs run-uefi test unit bench profile fuzz deps clean help tools; do
		grep -q "^  make $t " <<<"$h" || { echo "make help lacks target $t"; return 1; }
	done
	for v in VMS POLICY SLOTS QUANTUM TRACE FASTPATH ENTRYCHECK TIMEOUT GDB T V; do
		grep -Eq "^  $v(=|=1) " <<<"$h" || { echo "make help lacks variable $v"; return 1; }
	done
}
expect "make help lists every target and variable" help_complete

# The runner's last lines end with a newline even when the trace's last
# line has none (a run cut off mid-line), so that "run: ..." starts a line.
newline_after_cut() {
	printf 'hv ev=boot path=multiboot2\nvm=1 ev=out text="cut' >"$TRACE"
	local got
	got=$(bash -c '. tools/run.sh; last_lines 5 "$1"; echo "run: next"' _ "$TRACE")
	[ "$(tail -1 <<<"$got")" = "run: next" ] || { echo "output: $got"; return 1; }
}
expect "a message after a trace cut mid-line starts on its own line" newline_after_cut

# A system test run alone exits 1 when an assertion failed, 0 when none did.
standalone_status() {
	local dir=$ROOT/build/systest/run-options
	printf '. "%s/tests/system/lib.sh"\nexpect "fails" false\nexpect "passes" true\n' "$ROOT" >"$dir/test_failing.sh"
	printf '. "%s/tests/system/lib.sh"\nexpect "passes" true\n' "$ROOT" >"$dir/test_passing.sh"
	bash "$dir/test_failing.sh" >/dev/null 2>&1 && { echo "a failing test exited 0"; return 1; }
	bash "$dir/test_passing.sh" >/dev/null 2>&1 || { echo "a passing test exited non-zero"; return 1; }
	return 0
}
expect "a system test run alone exits 1 after a FAIL, 0 otherwise" standalone_status

# The version: git describe in a checkout (the boot line: test_run_bochs).
version_known() {
	local v
	v=$(build/tools/svtrace --version) || return 1
	[ "$v" = "svtrace $(git describe --always --dirty 2>/dev/null || echo unknown)" ] ||
		{ echo "svtrace --version: $v"; return 1; }
}
expect "svtrace --version is git describe" version_known
