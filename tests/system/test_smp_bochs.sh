#!/bin/bash
# Issue: every CPU in VMX operation. With 2 and with 4 emulated CPUs each
# application processor is started, held to CPU 0's VMX capabilities, put
# in VMX operation and parked, the demo VMs run on CPU 0 as with one CPU,
# and every CPU leaves VMX operation before the boot CPU powers off;
# cpus=1 starts none. CPUS sets both the emulator and cpus=.
. "$(dirname "$0")/lib.sh"
DEMO="vms=hello,cpuid,yield,realmode,counter,selfexit"

# ap_lines N: the smp_cpu lines of CPUs 1..N-1, each in VMX operation,
# with distinct APIC IDs; CPU 0's line says bsp.
ap_lines() {
	local n=$1 i ids
	has '^hv ev=smp_cpu of=0 apic=[0-9]+ role=bsp vmxon=ok cpu=0$' || return 1
	for ((i = 1; i < n; i++)); do
		has "^hv ev=smp_cpu of=$i apic=[0-9]+ role=ap vmxon=ok error=0 cpu=$i$" || return 1
	done
	ids=$(events | sed -n 's/^hv ev=smp_cpu of=[0-9]* apic=\([0-9]*\) .*/\1/p' | sort -u | wc -l)
	[ "$ids" -eq "$n" ] || { echo "$ids distinct APIC IDs for $n CPUs"; return 1; }
}

# every_cpu N: each of CPUs 0..N-1 entered a VM.
every_cpu() {
	local i
	for ((i = 0; i < $1; i++)); do
		has "^vm=[0-9]+ ev=entry .* cpu=$i$" || { echo "CPU $i entered no VM"; return 1; }
	done
}

# The six demo VMs end as with one CPU: done, each once.
demo_ends() {
	local n
	n=$(events | grep -cE '^vm=[1-6] ev=end status=done ')
	[ "$n" -eq 6 ] || { echo "$n of 6 VMs ended done: $(events | grep 'ev=end')"; return 1; }
}

# smp_vmxoff for CPUs 1..N-1, all before CPU 0's vmxoff, which with the
# halt line ends the trace.
aps_leave_first() {
	local n=$1 i last
	for ((i = 1; i < n; i++)); do
		has "^hv ev=smp_vmxoff of=$i status=ok cpu=[0-9]+$" || return 1
	done
	last=$(events | grep -n '^hv ev=smp_vmxoff' | tail -1 | cut -d: -f1)
	[ "$last" -lt "$(events | grep -n '^hv ev=vmxoff' | cut -d: -f1)" ] || { echo "an AP left VMX after CPU 0"; return 1; }
	events | tail -2 | tr '\n' ' ' | grep -Eq '^hv ev=vmxoff status=ok cpu=0 hv ev=halt status=ok cpu=0' ||
		{ echo "last lines: $(events | tail -2)"; return 1; }
}

for n in 2 4; do
	export CPUS=$n
	boot_bochs "cpus$n" 120 "$DEMO" || true
	unset CPUS
	expect "$n CPUs: one smp_cpu line per CPU, each vmxon=ok" ap_lines $n
	expect "$n CPUs: the summary says $((n - 1)) application processors started" \
		has "^hv ev=smp found=$n cpus=$n started=$((n - 1)) cpu=0$"
	expect "$n CPUs: the demo VMs end as with one CPU" demo_ends
	expect "$n CPUs: every CPU runs VMs" every_cpu $n
	expect "$n CPUs: no entry is refused or fails" hasnt 'ev=(refuse|entryfail|disagree|error|exception)'
	expect "$n CPUs: every AP leaves VMX operation before CPU 0" aps_leave_first $n
	expect "$n CPUs: svtrace check accepts the trace" build/tools/svtrace check "$TRACE"
done

# migrate=every:1: every VM to the next CPU after each of its slices.
for n in 2 4; do
	export CPUS=$n
	boot_bochs "every$n" 180 "$DEMO migrate=every:1" || true
	unset CPUS
	expect "every:1 on $n CPUs: the config line says so" has '^hv ev=config .* migrate=every:1 cpu=0$'
	expect "every:1 on $n CPUs: the demo VMs end as with one CPU" demo_ends
	expect "every:1 on $n CPUs: every CPU runs VMs" every_cpu $n
	expect "every:1 on $n CPUs: VMs move to and from CPU 1" \
		bash -c "grep -q '^vm=[0-9]* ev=move from=0 to=1 cpu=1$' '$TRACE' && grep -q '^vm=[0-9]* ev=move from=1 to=' '$TRACE'"
	expect "every:1 on $n CPUs: each move is a VMCLEAR on the CPU left" has '^vm=[0-9]+ ev=vmclear kind=move status=ok '
	expect "every:1 on $n CPUs: the entry after a move is a VMLAUNCH with every check" \
		has '^vm=[0-9]+ ev=entry n=[0-9]+ kind=moved insn=vmlaunch checks=all ran=[0-9]+ verdict=ok '
	expect "every:1 on $n CPUs: no entry is refused or fails" hasnt 'ev=(refuse|entryfail|disagree|error|exception)'
	expect "every:1 on $n CPUs: svtrace check (one CPU per VMCS, VMCLEAR before a move, VMLAUNCH after)" \
		build/tools/svtrace check "$TRACE"
done

# Misbehaving guests on 2 and 4 CPUs, pinned: triplefault (VM 2) on CPU 1
# is stopped there; the others, on every CPU, end as they do alone.
MIS="vms=hello,triplefault,cpuid,flood,udloop,yield"
for n in 2 4; do
	export CPUS=$n
	boot_bochs "mis$n" 180 "$MIS" || true
	unset CPUS
	expect "misbehaving on $n CPUs: triplefault stopped on CPU 1" \
		has '^vm=2 ev=end status=stopped why="triple_fault[^"]*" cpu=1$'
	expect "misbehaving on $n CPUs: udloop stopped by its storm" \
		has '^vm=5 ev=end status=stopped why="exception storm vector=6 '
	expect "misbehaving on $n CPUs: the others end done" \
		bash -c "[ \$(grep -cE '^vm=[1346] ev=end status=done ' '$TRACE') = 4 ]"
	expect "misbehaving on $n CPUs: every CPU runs VMs" every_cpu $n
	expect "misbehaving on $n CPUs: svtrace check" build/tools/svtrace check "$TRACE"
done

# migrate=balance: CPU 1 runs out of VMs first and takes one of CPU 0's.
export CPUS=2
boot_bochs balance2 180 "$MIS migrate=balance" || true
unset CPUS
expect "balance on 2 CPUs: an idle CPU took a VM" has '^vm=[0-9]+ ev=move from=[01] to=[01] '
expect "balance on 2 CPUs: every VM ends as pinned" \
	bash -c "[ \$(grep -cE '^vm=[1346] ev=end status=done ' '$TRACE') = 4 ] && grep -q '^vm=2 ev=end status=stopped' '$TRACE'"
expect "balance on 2 CPUs: svtrace check" build/tools/svtrace check "$TRACE"

# The differential mode on CPU 1 as on CPU 0: the same verdict on every case.
declare -A EC
for k in 0 1; do
	export CPUS=2
	boot_bochs "cases-cpu$k" 300 "entrycheck=cases.txt checkcpu=$k" tests/entrycheck/cases.txt || true
	unset CPUS
	EC[$k]=$TRACE
	expect "differential on CPU $k: no disagreement, wrong case or error" \
		has "^hv ev=entrycheck mode=file cases=[0-9]+ agree=[0-9]+ disagree=0 .* wrong=0 malformed=0 errors=0 .*cpu=$k$"
done
same_cases() {
	diff <(grep -a '^hv ev=case ' "${EC[0]}" | sed 's/ cpu=[0-9]*$//') \
		<(grep -a '^hv ev=case ' "${EC[1]}" | sed 's/ cpu=[0-9]*$//') >/dev/null &&
		[ "$(grep -ac '^hv ev=case ' "${EC[1]}")" -gt 200 ]
}
expect "differential: every case's result on CPU 1 is CPU 0's" same_cases

export CPUS=2
boot_bochs cpus1 60 "vms=hello cpus=1" || true
unset CPUS
expect "cpus=1 on 2 CPUs: the config line says cpus=1" has '^hv ev=config .* cpus=1 cpu=0$'
expect "cpus=1 on 2 CPUs: the summary says none started" has '^hv ev=smp found=2 cpus=1 started=0 cpu=0$'
expect "cpus=1 on 2 CPUs: no application processor line" hasnt '^hv ev=(smp_cpu of=[1-9]|smp_vmxoff)'
expect "cpus=1 on 2 CPUs: hello ends done" has '^vm=1 ev=end status=done why="hlt"'

boot_bochs badcpus 60 "vms=hello cpus=9" || true
expect "cpus=9 is refused with the range" has '^hv ev=error what="bad cpus= \(1..8: the CPUs to use, the boot CPU included\)" cpu=0$'

expect "CPUS=3 reaches the command line as cpus=3" bash -c 'CPUS=3 tools/run.sh --check | grep -q " cpus=3$"'
expect "CPUS=0 is refused before anything boots" bash -c '! CPUS=0 tools/run.sh --check 2>/dev/null'
