#!/bin/bash
# Issue: the UEFI application boots in QEMU+OVMF (TCG, no VT-x), reports
# the memory it found, says why it cannot run guests and what to run
# instead, and exits with the failure status.
. "$(dirname "$0")/lib.sh"
dir="$ROOT/build/systest/uefi"
rm -rf "$dir"; mkdir -p "$dir"
TRACE="$dir/serial.txt"
tools/run-uefi.sh "$dir" 90 "vms=hello" tcg
rc=$?
if [ $rc -eq 124 ]; then fail "qemu+ovmf run timed out (hang)"; else pass "qemu+ovmf run ended by itself"; fi
expect "the UEFI image prints its boot line with the memory it found" has '^hv ev=boot path=uefi mem=[1-9][0-9]*K ranges=[1-9][0-9]* pool=[1-9][0-9]*K'
expect "the command line file was read" has '^hv ev=boot .*cmdline="vms=hello"'
expect "the no-VMX message says why and what to run instead" has '^hv ev=novmx reason="CPUID.1:ECX.VMX is 0.*hint=".*make run-bochs'
expect "halt line says failure" has '^hv ev=halt status=fail cpu=[0-9][0-9]*$'
expect "QEMU exits with the failure status (isa-debug-exit 1 -> 3)" test "$rc" -eq 3
expect "no VMX instruction was attempted" hasnt '^hv ev=vmxon'
expect "svtrace check accepts the UEFI trace (firmware noise ignored)" build/tools/svtrace check "$TRACE"

# The same image with entrycheck=FILE: the case file is read from the ESP
# (the differential mode itself needs VT-x, so it stops at the no-VMX line).
dir2="$ROOT/build/systest/uefi-casefile"
rm -rf "$dir2"; mkdir -p "$dir2"
TRACE="$dir2/serial.txt"
tools/run-uefi.sh "$dir2" 90 "entrycheck=cases.txt" tcg tests/entrycheck/cases.txt
size=$(stat -c %s tests/entrycheck/cases.txt)
expect "the UEFI path loads the entrycheck case file from the ESP ($size bytes)" has "^hv ev=boot path=uefi .* casefile=$size cmdline=\"entrycheck=cases.txt\""
