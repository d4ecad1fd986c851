#!/bin/bash
# Issue: boot on the multiboot2 path in Bochs, enter VMX, run guest "hello".
. "$(dirname "$0")/lib.sh"
boot_bochs hello 90 "vms=hello" || true

expect "boot line names the path and the memory found" has '^hv ev=boot path=multiboot2 mem=[1-9][0-9]*K'
expect "capability report shows VMX, EPT and unrestricted guest" has '^hv ev=cpu vendor=GenuineIntel vmx=1 .*ept=1 ug=1'
expect "VMXON succeeds" has '^hv ev=vmxon status=ok'
expect "first entry is VMLAUNCH after VMCLEAR and VMPTRLD" bash -c "
	events | awk '/^vm=1 ev=(vmclear|vmptrld|entry)/ { print; if (/ev=entry/) exit }' |
	tr '\n' ' ' | grep -Eq 'vmclear kind=first status=ok.*vmptrld why=first status=ok.*entry n=1 kind=first insn=vmlaunch checks=all'" 
expect "every later entry is VMRESUME" bash -c "
	n=\$(events | grep -c '^vm=1 ev=entry'); r=\$(events | grep -c '^vm=1 ev=entry n=[0-9]* kind=subsequent insn=vmresume');
	[ \$n -gt 1 ] && [ \$r -eq \$((n - 1)) ] || { echo \"entries=\$n resumes=\$r\"; exit 1; }"
expect "guest output appears tagged with the VM id" has '^vm=1 ev=out text="hello from guest"$'
expect "the guest saw the CPUID vendor through the VMCALL" has '^vm=1 ev=out text="cpuid vendor=GenuineIntel"$'
for r in io cpuid vmcall hlt; do
	expect "exit $r appears" has "^vm=1 ev=exit n=[0-9]+ reason=$r rip=0x[0-9a-f]+ len=[0-9]+"
done
expect "RIP advances by the instruction length after io, cpuid and vmcall exits" bash -c "
	events | awk '
	  /^vm=1 ev=exit/ && / reason=(io|cpuid|vmcall) / { match(\$0, /rip=0x[0-9a-f]+/); rip = strtonum(substr(\$0, RSTART + 4, RLENGTH - 4));
	      match(\$0, / len=[0-9]+/); want = rip + substr(\$0, RSTART + 5, RLENGTH - 5); pending = 1; checked++; next }
	  pending && /^vm=1 ev=vmwrite field=guest_rip/ { match(\$0, /value=0x[0-9a-f]+/); got = strtonum(substr(\$0, RSTART + 6, RLENGTH - 6));
	      if (got != want) { printf \"guest_rip written as 0x%x, expected 0x%x\\n\", got, want; bad = 1 } pending = 0 }
	  /^vm=1 ev=entry/ && pending { print \"entry without a guest_rip write after an exit\"; bad = 1; pending = 0 }
	  END { if (checked < 3) { print \"only \" checked \" instruction exits\"; bad = 1 } exit bad }'"
expect "the guest ends on HLT with status done" has '^vm=1 ev=end status=done why="hlt"'
expect "the VM gets its last VMCLEAR" has '^vm=1 ev=vmclear kind=last status=ok'
expect "no entry is refused or fails" hasnt 'ev=(refuse|entryfail|disagree)'
expect "VMXOFF and a clean power-off line end the trace" bash -c "
	events | tail -2 | tr '\n' ' ' | grep -Eq '^hv ev=vmxoff status=ok hv ev=halt status=ok'"
if [ -x build/tools/svtrace ]; then
	expect "svtrace check accepts the trace" build/tools/svtrace check "$TRACE"
fi
