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
expect "halt line says failure" has '^hv ev=halt status=fail$'
expect "QEMU exits with the failure status (isa-debug-exit 1 -> 3)" test "$rc" -eq 3
expect "no VMX instruction was attempted" hasnt '^hv ev=vmxon'
expect "svtrace check accepts the UEFI trace (firmware noise ignored)" build/tools/svtrace check "$TRACE"
