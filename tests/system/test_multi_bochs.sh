#!/bin/bash
# Issue: processor notification module, many VMs, and a scheduler. Eight VMs
# (every guest, two of them twice) in Bochs: one VMLAUNCH per VM as its first
# entry, VMPTRLD on every switch and never for the same VM, a last VMCLEAR
# for every VM, complete guest output, and a counter guest that only the
# VMX-preemption timer can stop, interleaved with the others.
. "$(dirname "$0")/lib.sh"
VMS=hello,cpuid,yield,realmode,counter,selfexit,hello,cpuid
boot_bochs multi 120 "vms=$VMS" || true
NVMS=8

one_launch_each_first() {
	local v first launches
	for v in $(seq 1 $NVMS); do
		launches=$(events | grep -c "^vm=$v ev=entry .*insn=vmlaunch")
		first=$(events | grep -m1 "^vm=$v ev=entry ")
		[ "$launches" -eq 1 ] || { echo "vm=$v has $launches VMLAUNCHes"; return 1; }
		[[ $first == *" n=1 kind=first insn=vmlaunch "* ]] || { echo "vm=$v first entry: $first"; return 1; }
	done
}

# Walk the trace: an entry of X after an entry of Y != X needs a vmptrld of
# X in between; an entry of X right after X needs none.
vmptrld_only_on_switch() {
	local last="" loaded="" line vm switches=0
	while IFS= read -r line; do
		[[ $line =~ ^vm=([0-9]+)\ ev=vmptrld\ .*status=ok ]] && { loaded=${BASH_REMATCH[1]}; [ "$loaded" = "$last" ] && { echo "redundant vmptrld: $line"; return 1; }; continue; }
		[[ $line =~ ^vm=([0-9]+)\ ev=entry ]] || continue
		vm=${BASH_REMATCH[1]}
		[ "$loaded" = "$vm" ] || { echo "entry of vm=$vm while vm=$loaded is current: $line"; return 1; }
		[ -n "$last" ] && [ "$last" != "$vm" ] && switches=$((switches + 1))
		last=$vm
	done < <(events)
	[ $switches -ge $NVMS ] || { echo "only $switches switches"; return 1; }
}

every_vm_cleared_last() {
	local v
	for v in $(seq 1 $NVMS); do
		events | grep -q "^vm=$v ev=vmclear kind=last status=ok" || { echo "vm=$v has no last VMCLEAR"; return 1; }
		events | awk -v v="vm=$v" '$1 == v && /ev=vmclear kind=last/ { c = 1 } $1 == v && /ev=entry/ && c { bad = 1 } END { exit bad }' ||
			{ echo "vm=$v entered after its last VMCLEAR"; return 1; }
	done
}

counter_preempted_while_others_run() {
	local c=5 first last others timer
	timer=$(events | grep -c "^vm=$c ev=exit .*reason=preemption_timer")
	[ "$timer" -ge 10 ] || { echo "only $timer preemption-timer exits of the counter"; return 1; }
	first=$(events | grep -n "^vm=$c ev=entry" | head -1 | cut -d: -f1)
	last=$(events | grep -n "^vm=$c ev=entry" | tail -1 | cut -d: -f1)
	others=$(events | sed -n "${first},${last}p" | grep -E '^vm=[0-9]+ ev=entry' | grep -vc "^vm=$c ")
	[ "$others" -ge 20 ] || { echo "only $others entries of other VMs while the counter ran"; return 1; }
}

# Issue (shadow): in the normal demo every VMRESUME runs far fewer checks
# than a VMLAUNCH (at most 5%).
resume_checks_small() {
	local full max
	full=$(events | grep -m1 'ev=entry .*insn=vmlaunch' | grep -o ' ran=[0-9]*' | cut -d= -f2)
	max=$(events | grep 'ev=entry .*insn=vmresume' | grep -o ' ran=[0-9]*' | cut -d= -f2 | sort -n | tail -1)
	[ -n "$full" ] && [ -n "$max" ] && [ $((max * 20)) -le "$full" ] ||
		{ echo "VMLAUNCH ran=$full, largest VMRESUME ran=$max"; return 1; }
}

expect "config line lists the eight VMs" has "^hv ev=config vms=$VMS "
expect "eight VMs are created, each with its own memory" bash -c "[ \$(grep -c '^vm=[1-8] ev=create' '$TRACE') -eq 8 ]"
expect "every VM has exactly one VMLAUNCH and it is its first entry" one_launch_each_first
expect "VMPTRLD precedes every switch and is never issued for the VM already current" vmptrld_only_on_switch
expect "every VM ends with a last VMCLEAR and is never entered after it" every_vm_cleared_last
expect "hello output complete (twice)" bash -c "[ \$(grep -Ec '^vm=(1|7) ev=out text=\"hello from guest\" cpu=[0-9][0-9]*$' '$TRACE') -eq 2 ]"
expect "cpuid loop output (twice)" bash -c "[ \$(grep -Ec '^vm=(2|8) ev=out text=\"cpuid loop done: 200 exits\" cpu=[0-9][0-9]*$' '$TRACE') -eq 2 ]"
expect "cpuid guest made 200 CPUID exits" bash -c "[ \$(grep -c '^vm=2 ev=exit .*reason=cpuid' '$TRACE') -eq 200 ]"
for i in 1 2 3 4 5; do
	expect "yield round $i printed" has "^vm=3 ev=out text=\"yield round $i\" cpu=[0-9][0-9]*$"
done
expect "yield guest gave the CPU away five times" bash -c "[ \$(grep -c '^vm=3 ev=hypercall nr=1 name=yield' '$TRACE') -eq 5 ]"
expect "real-mode guest printed with 16-bit code" has '^vm=4 ev=out text="real mode hello" cpu=[0-9][0-9]*$'
expect "real-mode guest entered with CR0.PE=0" has '^vm=4 ev=vmwrite field=guest_cr0 value=0x30 '
expect "counter guest finished its count" has '^vm=5 ev=out text="counter reached 3000000" cpu=[0-9][0-9]*$'
expect "counter guest is preempted by the timer while the other VMs run" counter_preempted_while_others_run
expect "selfexit guest ends itself and nothing runs after its HC_EXIT" bash -c "grep -q '^vm=6 ev=end status=done why=\"exit code=0\"' '$TRACE' && ! grep -q 'BUG' '$TRACE'"
expect "all eight VMs end done" bash -c "[ \$(grep -c '^vm=[1-8] ev=end status=done' '$TRACE') -eq 8 ]"
expect "summary counts eight VMs and eight launches" has '^hv ev=summary vms=8 entries=[0-9]+ launches=8 '
expect "every VMRESUME runs at most 5% of the checks a VMLAUNCH runs" resume_checks_small
expect "clean power-off" has '^hv ev=halt status=ok cpu=[0-9][0-9]*$'
expect "svtrace check accepts the trace" build/tools/svtrace check "$TRACE"
