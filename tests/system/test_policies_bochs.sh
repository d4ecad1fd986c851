#!/bin/bash
# Issue: the processor-managed-resource cache model's policies on the same
# VM mix with 2 slots: the counters obey the trace, and the policies differ
# the way they should.
. "$(dirname "$0")/lib.sh"
MIX="vms=cpuid,yield,counter,selfexit,hello slots=2"
declare -A T

stat() {   # stat POLICY VM KEY
	grep -m1 "^vm=$2 ev=stats " "${T[$1]}" | grep -o " $3=[0-9]*" | cut -d= -f2
}
total() { grep -m1 '^hv ev=summary ' "${T[$1]}" | grep -o " $2=[0-9]*" | cut -d= -f2; }

for p in first threshold:8 history; do
	name=policy-${p%%:*}
	boot_bochs "$name" 120 "$MIX policy=$p" || true
	T[$p]=$TRACE
	expect "$p: the config line names the policy" has "^hv ev=config .*policy=$p slots=2 "
	expect "$p: svtrace check (counters equal the events)" build/tools/svtrace check "$TRACE"
done

TRACE=${T[first]}
rare_vm=4   # selfexit: entered 3 times
expect "first gives the rarely-run VM a slot at its VMLAUNCH" test "$(stat first $rare_vm pmr_allocs)" -ge 1
expect "threshold:8 never gives the rarely-run VM (3 entries) a slot" test "$(stat threshold:8 $rare_vm pmr_allocs)" -eq 0
expect "threshold:8 allocates fewer slots than first" test "$(total threshold:8 pmr_allocs)" -lt "$(total first pmr_allocs)"
expect "history evicts less than first (it keeps the frequent VMs)" test "$(total history pmr_evicts)" -lt "$(total first pmr_evicts)"
expect "all three runs made the same entries" bash -c "[ '$(total first entries)' = '$(total threshold:8 entries)' ] && [ '$(total first entries)' = '$(total history entries)' ]"
expect "svtrace compare shows the three policies side by side" bash -c \
	"build/tools/svtrace compare '${T[first]}' '${T[threshold:8]}' '${T[history]}' | grep -Eq '^policy +first +threshold:8 +history'"
