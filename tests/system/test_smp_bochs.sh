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
	expect "$n CPUs: no entry is refused or fails" hasnt 'ev=(refuse|entryfail|disagree|error|exception)'
	expect "$n CPUs: every AP leaves VMX operation before CPU 0" aps_leave_first $n
	expect "$n CPUs: svtrace check accepts the trace" build/tools/svtrace check "$TRACE"
done

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
