#!/bin/bash
# Run every test and count them. Each test prints "PASS name" or
# "FAIL name: why" lines; unit tests (cmocka) are read through their TAP
# output. Ends with "N passed, N failed"; exit status 1 if any failed.
# Usage: tests/run.sh [--unit-only] [--only TEXT]
#   --only TEXT  only the tests whose name contains TEXT: a unit test
#                binary (test_config), a system test script
#                (test_hello_bochs), or svtrace for tests/trace/run.sh
#                (make test T=TEXT)
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0
failures=()
unit_only=0 only=""
while [ $# -gt 0 ]; do
	case $1 in
	--unit-only) unit_only=1 ;;
	--only) [ -n "${2:-}" ] || { echo "tests/run.sh: --only needs a name" >&2; exit 2; }; only=$2; shift ;;
	*) echo "usage: tests/run.sh [--unit-only] [--only TEXT]" >&2; exit 2 ;;
	esac
	shift
done
wanted() { [ -z "$only" ] || [[ $1 == *"$only"* ]]; }

record() {   # reads PASS/FAIL lines on stdin, echoes and counts them
	while IFS= read -r line; do
		case "$line" in
		PASS\ *) passed=$((passed + 1)); echo "$line" ;;
		FAIL\ *) failed=$((failed + 1)); failures+=("$line"); echo "$line" ;;
		*) echo "$line" ;;
		esac
	done
}

run_unit() {
	local t=$1 out
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP timeout 120 "$t" 2>&1)
	local rc=$? name=$(basename "$t") seen=0
	while IFS= read -r l; do
		case "$l" in
		"ok "*) echo "PASS $name: ${l#ok * - }"; seen=1 ;;
		"not ok "*) echo "FAIL $name: ${l#not ok * - }"; seen=1 ;;
		"#"*) echo "    $l" ;;
		esac
	done <<<"$out"
	if [ $seen -eq 0 ] || { [ $rc -ne 0 ] && ! grep -q '^not ok' <<<"$out"; }; then
		echo "FAIL $name: exited with status $rc"
		tail -20 <<<"$out" | sed 's/^/    /'
	fi
}

echo "== unit tests"
for t in build/tests/test_*; do
	[ -x "$t" ] && wanted "$(basename "$t")" && run_unit "$t"
done > build/unit.log 2>&1
record < build/unit.log

if [ $unit_only = 0 ]; then
	if [ -x tests/trace/run.sh ] && wanted svtrace; then
		echo "== trace reader tests (svtrace)"
		record < <(tests/trace/run.sh 2>&1)
	fi
	echo "== trace event table (vmm/trace_events.def)"
	record < <(tools/tracedef/trace-doc.sh --check 2>&1; tools/tracedef/check-keys.sh 2>&1)
	# The Bochs system tests run on each machine in MACHINES (lib.sh):
	# upstream Bochs + OVMF too when it can be built (once; then cached).
	if [ -z "${MACHINES:-}" ]; then
		echo "== machines"
		if bochs=$(tools/build-bochs.sh); then
			export MACHINES="bochs27 bochs-uefi"
			echo "machines: bochs27 (Debian Bochs 2.7 + GRUB) and bochs-uefi (upstream Bochs + OVMF: $bochs)"
		else
			export MACHINES=bochs27
			echo "machines: bochs27 only: upstream Bochs is not available (see above; docs/machines.md)"
		fi
	fi
	for s in tests/system/test_*.sh; do
		wanted "$(basename "$s" .sh)" || continue
		echo "== $(basename "$s" .sh)"
		record < <(bash "$s" 2>&1)
	done
fi
if [ -n "$only" ] && [ $((passed + failed)) -eq 0 ]; then
	echo "FAIL tests/run.sh: no test matches \"$only\" (unit: build/tests/test_*, system: tests/system/test_*.sh, svtrace)"
	failed=1 failures+=("FAIL no test matches \"$only\"")
fi

if [ $failed -gt 0 ]; then
	echo "== failures"
	printf '%s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
