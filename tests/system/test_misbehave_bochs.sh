#!/bin/bash
# Issue: misbehaving guests and bad input: isolate, report, keep going.
# One Bochs run with every misbehaving guest between two well-behaved ones.
# Each bad guest is stopped (or refused) for a named reason, the others
# finish with complete output, and the trace stays parseable throughout.
# badvmcs needs the test hypercalls (testhc=on); a second, short run shows
# that without them HC_TEST_VMWRITE is an unknown number like any other.
. "$(dirname "$0")/lib.sh"
VMS=hello,eptread,eptwrite,triplefault,udloop,gpstorm,vmxinsn,spin,badhc,flood,badvmcs,cpuid
boot_bochs misbehave 300 "vms=$VMS testhc=on" || true
SLICES=$(sed -n 's/^#define SCHED_VM_SLICES \([0-9]*\).*/\1/p' vmm/sched.h)
OUT_MAX=$(sed -n 's/^#define OUT_MAX_LINES \([0-9]*\).*/\1/p' vmm/exits.c)
STORM=$(sed -n 's/^#define EXC_STORM_LIMIT \([0-9]*\).*/\1/p' vmm/exits.c)

# end VM STATUS WHY-REGEX — the end line of VM (1-based) says so.
end_is() { has "^vm=$1 ev=end status=$2( why=\"$3\")? cpu=[0-9][0-9]*$"; }

# The VM got exactly one #UD per VMX instruction: seven injections, one
# "NAME -> #UD" line each, and no exception exit of its own.
vmxinsn_ud_each() {
	local i n
	n=$(events | grep -c '^vm=7 ev=inject vector=6 why=vmx_instruction cpu=[0-9][0-9]*$')
	[ "$n" -eq 7 ] || { echo "$n #UD injections, want 7"; return 1; }
	for i in vmxon vmclear vmptrld vmread vmwrite vmlaunch invept; do
		has "^vm=7 ev=out text=\"$i -> #UD\" cpu=[0-9][0-9]*$" || return 1
	done
	hasnt '^vm=7 ev=exit .*reason=exception_nmi' && hasnt '^vm=7 ev=out text=".*(no|more than one) #UD'
}

# The VMX instructions ended in exits of their own reasons, never ran.
vmxinsn_exits_by_name() {
	local r
	for r in vmxon vmclear vmptrld vmread vmwrite vmlaunch invept; do
		has "^vm=7 ev=exit .*reason=$r " || return 1
	done
}

storm_reflected_until_limit() {   # VM VECTOR
	local n
	n=$(events | grep -c "^vm=$1 ev=inject vector=$2 why=reflect")
	[ "$n" -eq "$STORM" ] || { echo "vm=$1 reflected $n times, want $STORM"; return 1; }
}

flood_capped() {
	local n
	n=$(events | grep -c '^vm=10 ev=out ')
	[ "$n" -eq "$OUT_MAX" ] || { echo "$n out lines, want $OUT_MAX"; return 1; }
	has '^vm=10 ev=out_dropped lines=4900 bytes=4900 cpu=[0-9][0-9]*$'
}

# Every line the VMM wrote is a whole trace line: nothing but events from
# the first hv line to the halt.
trace_line_structured() {
	local bad
	bad=$(sed -n '/^hv ev=boot /,/^hv ev=halt /p' "$TRACE" | grep -avE '^(hv |vm=[0-9]+ )ev=[a-z_]+( |$)' | head -3)
	[ -z "$bad" ] || { echo "not trace lines: $bad"; return 1; }
}

spin_preempted_while_others_run() {
	local n
	n=$(events | grep -c '^vm=8 ev=exit .*reason=preemption_timer')
	[ "$n" -ge $((SLICES - 1)) ] || { echo "only $n preemption-timer exits of spin"; return 1; }
}

badhc_nothing_outside() {
	hasnt '^vm=9 ev=out text=".*BUG' && hasnt 'BUG:' &&
	has '^vm=9 ev=hypercall nr=2 name=puts ret=0xfffffffffffffffe cpu=[0-9][0-9]*$'
}

expect "config line lists the twelve VMs" has "^hv ev=config vms=$VMS "
expect "config line says test hypercalls are on" has "^hv ev=config .* testhc=on "
expect "eptread: stopped, trace names the address and the read" \
	end_is 2 stopped "ept_violation gpa=0x200000 access=read"
expect "eptread: the exit line carries the qualification" has '^vm=2 ev=exit n=1 reason=ept_violation rip=0x1000 qual=0x'
expect "eptwrite: stopped, trace names the address and the write" \
	end_is 3 stopped "ept_violation gpa=0x200000 access=write"
expect "triplefault: #GP, then #DF, then stopped for a triple fault" \
	bash -c "grep -q '^vm=4 ev=inject vector=8 why=double_fault' '$TRACE' && grep -q '^vm=4 ev=end status=stopped why=\"triple_fault' '$TRACE'"
expect "udloop: #UD reflected $STORM times to its own handler" storm_reflected_until_limit 5 6
expect "udloop: stopped for an exception storm of vector 6" end_is 5 stopped "exception storm vector=6 count=$((STORM + 1))"
expect "gpstorm: #GP reflected with its error code $STORM times" \
	bash -c "[ \$(grep -c '^vm=6 ev=inject vector=13 why=reflect error=0x28 cpu=[0-9][0-9]*$' '$TRACE') -eq $STORM ]"
expect "gpstorm: stopped for an exception storm of vector 13" end_is 6 stopped "exception storm vector=13 count=$((STORM + 1))"
expect "vmxinsn: one #UD for each of the 7 VMX instructions, none counted as a storm" vmxinsn_ud_each
expect "vmxinsn: every VMX instruction exited, none ran in the host" vmxinsn_exits_by_name
expect "vmxinsn: ends done" end_is 7 done "exit code=0"
expect "spin: preempted by the timer, slice after slice" spin_preempted_while_others_run
expect "spin: stopped when its CPU budget is spent" end_is 8 stopped "cpu budget exhausted: $SLICES slices"
expect "badhc: unknown hypercall -> HC_ENOSYS" has '^vm=9 ev=out text="unknown -> -1" cpu=[0-9][0-9]*$'
expect "badhc: HC_PUTS outside guest memory -> HC_EFAULT" has '^vm=9 ev=out text="puts outside memory -> -2" cpu=[0-9][0-9]*$'
expect "badhc: HC_PUTS longer than HC_PUTS_MAX -> HC_EINVAL" has '^vm=9 ev=out text="puts too long -> -3" cpu=[0-9][0-9]*$'
expect "badhc: HC_PUTS wrapping around 2^32 -> HC_EFAULT" has '^vm=9 ev=out text="puts wrapping -> -2" cpu=[0-9][0-9]*$'
expect "badhc: a good HC_PUTS still works, nothing read outside" badhc_nothing_outside
expect "badhc: ends done" end_is 9 done "exit code=0"
expect "flood: output capped at $OUT_MAX lines, the rest counted in out_dropped" flood_capped
expect "flood: ends done" end_is 10 done "exit code=0"
expect "flood: every line of the trace is still a whole trace line" trace_line_structured
expect "badvmcs: HC_TEST_VMWRITE of an unknown field -> HC_EINVAL" has '^vm=11 ev=out text="test_vmwrite unknown field -> -3" cpu=[0-9][0-9]*$'
expect "badvmcs: HC_TEST_VMWRITE of a read-only field -> HC_EINVAL" has '^vm=11 ev=out text="test_vmwrite read-only field -> -3" cpu=[0-9][0-9]*$'
expect "badvmcs: the shadow predicts the failure and the VMM does not enter" \
	bash -c "grep -q '^vm=11 ev=entry .*dirty=.*guest_rflags.* verdict=entryfail:33 ' '$TRACE' && ! grep -q '^vm=11 ev=entryfail' '$TRACE'"
expect "badvmcs: stopped, naming the check id, SDM section, field and value" \
	end_is 11 stopped "check=guest.rflags.reserved sdm=27.3.1.4 field=guest_rflags value=0x0 verdict=entryfail:33"
expect "no bad guest got past its misbehaviour" hasnt 'text="BUG'
expect "hello output complete" bash -c "grep -q '^vm=1 ev=out text=\"hello from guest\" cpu=[0-9][0-9]*$' '$TRACE' && grep -q '^vm=1 ev=out text=\"cpuid vendor=GenuineIntel\" cpu=[0-9][0-9]*$' '$TRACE'"
expect "hello ends done" end_is 1 done "hlt"
expect "cpuid output complete after 200 CPUID exits" \
	bash -c "grep -q '^vm=12 ev=out text=\"cpuid loop done: 200 exits\" cpu=[0-9][0-9]*$' '$TRACE' && [ \$(grep -c '^vm=12 ev=exit .*reason=cpuid' '$TRACE') -eq 200 ]"
expect "cpuid ends done" end_is 12 done "exit code=0"
expect "every VM has an end line" bash -c "[ \$(grep -c '^vm=[0-9]* ev=end ' '$TRACE') -eq 12 ]"
expect "clean power-off" has '^hv ev=halt status=ok cpu=[0-9][0-9]*$'
expect "svtrace check accepts the trace" build/tools/svtrace check "$TRACE"

# Without testhc=on: HC_TEST_VMWRITE answers -1 (HC_ENOSYS) and is traced
# as name=unknown, like any unknown number; the VMCS is never written, so
# the shadow has nothing to stop and badvmcs ends with its HLT.
refused_each() {
	local w
	for w in "unknown field" "read-only field" "guest rflags"; do
		has "^vm=1 ev=out text=\"test_vmwrite $w -> -1\" cpu=[0-9][0-9]*\$" || return 1
	done
}
boot_bochs badvmcs-testhc-off 60 "vms=badvmcs" || true
expect "testhc=off: the config line says so" has '^hv ev=config vms=badvmcs .* testhc=off '
expect "testhc=off: the three HC_TEST_VMWRITE calls are unknown numbers, -1 each" bash -c \
	"[ \$(grep -c '^vm=1 ev=hypercall nr=256 name=unknown ret=0xffffffffffffffff cpu=[0-9][0-9]*$' '$TRACE') -eq 3 ] && ! grep -q 'name=test_vmwrite' '$TRACE'"
expect "testhc=off: badvmcs prints -1 for each" refused_each
expect "testhc=off: no entry predicted to fail, the VM not stopped" hasnt '^vm=1 ev=entry .*verdict=entryfail'
expect "testhc=off: badvmcs ends done at its HLT" end_is 1 done "hlt"
expect "testhc=off: badvmcs never entered with RFLAGS=0" hasnt 'text="BUG'
expect "testhc=off: svtrace check accepts the trace" build/tools/svtrace check "$TRACE"
