#!/bin/bash
# Issue: boot on the multiboot2 path in Bochs, enter VMX, run guest "hello".
. "$(dirname "$0")/lib.sh"
boot_bochs hello 90 "vms=hello" || true

first_entry_sequence() {
	events | grep -E '^vm=1 ev=(vmclear|vmptrld|entry)' | head -3 | tr '\n' ' ' |
		grep -Eq 'vmclear kind=first status=ok.*vmptrld why=first status=ok.*entry n=1 kind=first insn=vmlaunch checks=all' ||
		{ echo "first three lines: $(events | grep -E '^vm=1 ev=(vmclear|vmptrld|entry)' | head -3)"; return 1; }
}

later_entries_resume() {
	local n r
	n=$(events | grep -c '^vm=1 ev=entry')
	r=$(events | grep -c '^vm=1 ev=entry n=[0-9]* kind=subsequent insn=vmresume')
	[ "$n" -gt 1 ] && [ "$r" -eq $((n - 1)) ] || { echo "entries=$n resumes=$r"; return 1; }
}

# After each io/cpuid/vmcall exit at rip R with len L, the next guest_rip
# VMWRITE of that VM must be R+L, and it must come before the next entry.
rip_advances() {
	local want="" checked=0 line
	while IFS= read -r line; do
		if [[ $line =~ ^vm=1\ ev=exit\ .*reason=(io|cpuid|vmcall)\ rip=(0x[0-9a-f]+)\ len=([0-9]+) ]]; then
			want=$((BASH_REMATCH[2] + BASH_REMATCH[3])); checked=$((checked + 1))
		elif [[ -n $want && $line =~ ^vm=1\ ev=vmwrite\ field=guest_rip\ value=(0x[0-9a-f]+) ]]; then
			[ $((BASH_REMATCH[1])) -eq "$want" ] || { printf 'guest_rip written as %s, expected 0x%x\n' "${BASH_REMATCH[1]}" "$want"; return 1; }
			want=""
		elif [[ -n $want && $line =~ ^vm=1\ ev=entry ]]; then
			echo "entry without a guest_rip write after an exit: $line"; return 1
		fi
	done < <(events)
	[ $checked -ge 3 ] || { echo "only $checked instruction exits"; return 1; }
}

ends_cleanly() {
	events | tail -2 | tr '\n' ' ' | grep -Eq '^hv ev=vmxoff status=ok cpu=[0-9]+ hv ev=halt status=ok cpu=[0-9]+ $' ||
		{ echo "last lines: $(events | tail -2)"; return 1; }
}

expect "boot line names the path and the memory found" has "^hv ev=boot path=$(boot_path) mem=[1-9][0-9]*K"
expect "capability report shows VMX, EPT and unrestricted guest" has '^hv ev=cpu vendor=GenuineIntel vmx=1 .*ept=1 ug=1'
expect "VMXON succeeds" has '^hv ev=vmxon status=ok'
expect "the inline VMREAD/VMWRITE classify failures as the SDM says (unsupported encoding 12, no current VMCS)" \
	has '^hv ev=vmx_selftest setup=ok write_bad=vmfail_valid:12 read_bad=vmfail_valid:12 write_ro=(ok misc29=1|vmfail_valid:13 misc29=0) roundtrip=ok no_current=vmfail_invalid result=ok cpu=[0-9][0-9]*$'
# One processor runs everything: every event line ends in its cpu=0.
all_on_cpu0() {
	local bad
	bad=$(events | grep -avE ' cpu=0$' | head -1)
	[ -z "$bad" ] || { echo "a line that does not end in cpu=0: $bad"; return 1; }
}
expect "every trace line says the processor that printed it (cpu=0)" all_on_cpu0
expect "the processor's own line adds up (hv ev=cpu_stats of=0, no moves)" \
	has '^hv ev=cpu_stats of=0 entries=[1-9][0-9]* moves_in=0 moves_out=0 '
expect "first entry is VMLAUNCH after VMCLEAR and VMPTRLD" first_entry_sequence
expect "every later entry is VMRESUME" later_entries_resume
expect "guest output appears tagged with the VM id" has '^vm=1 ev=out text="hello from guest" cpu=[0-9][0-9]*$'
expect "the guest saw the CPUID vendor through the VMCALL" has '^vm=1 ev=out text="cpuid vendor=GenuineIntel" cpu=[0-9][0-9]*$'
for r in io cpuid vmcall hlt; do
	expect "exit $r appears" has "^vm=1 ev=exit n=[0-9]+ reason=$r rip=0x[0-9a-f]+ len=[0-9]+"
done
expect "RIP advances by the instruction length after io, cpuid and vmcall exits" rip_advances
expect "the guest ends on HLT with status done" has '^vm=1 ev=end status=done why="hlt"'
expect "the VM gets its last VMCLEAR" has '^vm=1 ev=vmclear kind=last status=ok'
expect "no entry is refused or fails" hasnt 'ev=(refuse|entryfail|disagree)'
expect "VMXOFF and a clean power-off line end the trace" ends_cleanly
expect "svtrace check accepts the trace" build/tools/svtrace check "$TRACE"
