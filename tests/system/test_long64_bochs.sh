#!/bin/bash
# A 64-bit guest (mode long64): VM entry with "IA-32e mode guest" = 1, the
# VMM's paging and a 64-bit code segment. The shadow's full validation of
# that state must agree with the CPU's; RIP above 4 GiB must be checked by
# the 64-bit rule (bits 63:N identical, not canonical: lowedge); hypercall arguments keep their upper halves in
# 64-bit mode; RBP, RSI and R8-R15 survive every kind of exit; and CPUID
# round trips replay as for a 32-bit guest, with the same results on every
# fast-path setting, below 4 GiB and above it (where the RIP an exit saved
# says the guest is in 64-bit mode).
. "$(dirname "$0")/lib.sh"
boot_bochs long64 90 "vms=long64" || true

rip_advances() {   # after each instruction exit, guest_rip := rip + len (64-bit addresses too)
	local want="" checked=0 high=0 line
	while IFS= read -r line; do
		if [[ $line =~ ^vm=1\ ev=exit\ .*reason=(cpuid|vmcall)\ rip=(0x[0-9a-f]+)\ len=([0-9]+) ]]; then
			want=$((BASH_REMATCH[2] + BASH_REMATCH[3])); checked=$((checked + 1))
			[[ ${BASH_REMATCH[2]} == 0xffff8* ]] && high=$((high + 1))
		elif [[ -n $want && $line =~ ^vm=1\ ev=vmwrite\ field=guest_rip\ value=(0x[0-9a-f]+) ]]; then
			[ $((BASH_REMATCH[1])) -eq "$want" ] || { printf 'guest_rip written as %s, expected 0x%x\n' "${BASH_REMATCH[1]}" "$want"; return 1; }
			want=""
		fi
	done < <(events)
	[ $checked -ge 200 ] && [ $high -ge 100 ] || { echo "$checked instruction exits, $high above 4 GiB"; return 1; }
}

entries_above_4gib_ok() {   # entries after CPUID exits above 4 GiB ran their one check and passed
	local n
	n=$(events | grep -A3 '^vm=1 ev=exit n=[0-9]* reason=cpuid rip=0xffff8' |
		grep -c '^vm=1 ev=entry n=[0-9]* kind=subsequent insn=vmresume checks=dirty ran=1 dirty=guest_rip verdict=ok')
	[ "$n" -ge 90 ] || { echo "$n such entries"; return 1; }
}

expect "the VM is created in mode long64" has '^vm=1 ev=create guest=long64 mem=64K mode=long64 entry=0x1000'
expect "entry controls with IA-32e mode guest (bit 9) written" bash -c \
	"v=\$(grep -m1 '^vm=1 ev=vmwrite field=entry_controls' '$TRACE' | grep -o 'value=0x[0-9a-f]*' | cut -d= -f2); [ -n \"\$v\" ] && (( (v >> 9) & 1 ))"
expect "guest CR0 has PE and PG, CR4 has PAE, CS is a 64-bit code segment" bash -c \
	"grep -Eq '^vm=1 ev=vmwrite field=guest_cr0 value=0x800000[0-9a-f]1 ' '$TRACE' &&
	 grep -Eq '^vm=1 ev=vmwrite field=guest_cr4 value=0x[0-9a-f]*[2367abef][0-9a-f] ' '$TRACE' &&
	 grep -q '^vm=1 ev=vmwrite field=guest_cs_ar value=0xa09b ' '$TRACE'"
expect "VMLAUNCH runs every check, the shadow predicts ok, and the CPU agrees" \
	has '^vm=1 ev=entry n=1 kind=first insn=vmlaunch checks=all ran=163 verdict=ok'
expect "the guest runs in 64-bit mode and sees the hypervisor bit" has '^vm=1 ev=out text="long64: 64-bit mode, 100 CPUIDs below 4 GiB" cpu=[0-9][0-9]*$'
expect "it runs CPUIDs at its alias above 4 GiB" has '^vm=1 ev=out text="long64: 100 CPUIDs above 4 GiB done" cpu=[0-9][0-9]*$'
expect "RIP advances by the instruction length, above 4 GiB too" rip_advances
expect "above 4 GiB the RIP check (64-bit rule) runs and passes" entries_above_4gib_ok
expect "HC_PUTS of a buffer 4 GiB up is refused (-2), not cut to 32 bits" \
	has '^vm=1 ev=hypercall nr=2 name=puts ret=0xfffffffffffffffe cpu=[0-9][0-9]*$'
expect "the guest says so" has '^vm=1 ev=out text="long64: a buffer above 4 GiB is refused \(-2\)" cpu=[0-9][0-9]*$'
expect "RBP, RSI and R8-R15 came through every exit unchanged" \
	has '^vm=1 ev=out text="long64: rbp, rsi, r8-r15 kept across every exit" cpu=[0-9][0-9]*$'
expect "it ends with HC_EXIT 0" has '^vm=1 ev=end status=done why="exit code=0"'
expect "no entry is refused, fails or disagrees with the CPU" hasnt 'ev=(refuse|entryfail|disagree)'
expect "svtrace check accepts the trace" build/tools/svtrace check "$TRACE"

# Beside 32-bit and real-mode guests, on each fast-path setting: the same
# results, and the replay taken for the 64-bit guest's CPUIDs too. A
# quantum no guest here uses up: once cpuidbench64 runs alone its slice
# ends only at the preemption timer, and upstream Bochs's timer also runs
# during the host's work, so the paths would see different numbers of
# timer exits.
MIX="vms=long64,cpuid,realmode,cpuidbench64 trace=summary quantum=4000000000"
declare -A T
for f in on noreplay off; do
	boot_bochs "long64-$f" 120 "$MIX fastpath=$f" || true
	T[$f]=$TRACE
	expect "fastpath=$f: every VM finished" bash -c "[ \$(grep -c ' ev=end status=done' '$TRACE') = 4 ]"
	expect "fastpath=$f: svtrace check accepts the trace" build/tools/svtrace check "$TRACE"
done
same() {   # same MODE REGEX: the matching lines (but cpuidbench64's timing) equal fastpath=off's
	local a b
	a=$(grep -E "$2" "${T[$1]}" | grep -v 'round trips='); b=$(grep -E "$2" "${T[off]}" | grep -v 'round trips=')
	[ -n "$a" ] && [ "$a" = "$b" ] || { echo "$1: $a"; echo "off: $b"; return 1; }
}
for f in on noreplay; do
	expect "fastpath=$f: same summary, stats and VMX instructions per exit reason as fastpath=off" \
		same $f '^(hv ev=(summary|costs)|vm=[0-9]+ ev=stats) '
	expect "fastpath=$f: same guest output and endings as fastpath=off" same $f '^vm=[0-9]+ ev=(out|end) '
done
TRACE=${T[on]}
expect "fastpath=on: cpuidbench64's 10,000 CPUIDs were nearly all replayed" \
	test "$(grep -m1 '^hv ev=timing' "$TRACE" | grep -o ' replay_entries=[0-9]*' | cut -d= -f2)" -gt 9500

# Above 4 GiB: the RIP each exit saves there says 64-bit mode, so the
# replay goes on without reading the entry controls or CS.
boot_bochs long64-hi 120 "vms=cpuidbench64hi trace=summary" || true
expect "cpuidbench64hi: it runs to its end, nothing refused or disagreeing" bash -c \
	"grep -q '^vm=1 ev=end status=done' '$TRACE' && ! grep -Eq 'ev=(refuse|entryfail|disagree)' '$TRACE'"
expect "cpuidbench64hi: its 10,000 CPUIDs above 4 GiB were nearly all replayed" \
	test "$(grep -m1 '^hv ev=timing' "$TRACE" | grep -o ' replay_entries=[0-9]*' | cut -d= -f2)" -gt 9500
expect "cpuidbench64hi: 3 VMREADs per CPUID exit (reason, RIP, length): neither the control nor CS" \
	has '^hv ev=costs reason=cpuid exits=10000 vmreads=30000 '

# Out of 64-bit mode into compatibility mode (IA-32e, CS.L = 0) and back:
# the shadow takes the mode from each exit's saved RIP, the CPU judges
# every entry, and nothing may fail or be refused.
boot_bochs compat64 60 "vms=compat64" || true
expect "compat64: CPUID exits above 4 GiB, then below it in compatibility mode, then above again" bash -c \
	"[ \"\$(grep -o 'reason=cpuid rip=0x[0-9a-f]*' '$TRACE' | sed 's/.*rip=//' | uniq -c | awk '{ print \$1 \":\" (length(\$2) > 10 ? \"high\" : \"low\") }' | tr '\n' ' ')\" = '100:high 100:low 100:high ' ]"
expect "compat64: the guest saw compatibility mode and 64-bit mode again, and ends with HC_EXIT 0" bash -c \
	"grep -q '^vm=1 ev=out text=\"compat64: 100 CPUIDs above 4 GiB, 100 in compatibility mode, 100 above 4 GiB again\" cpu=[0-9][0-9]*$' '$TRACE' &&
	 grep -q '^vm=1 ev=end status=done why=\"exit code=0\"' '$TRACE'"
expect "compat64: no entry refused, failing or disagreeing with the CPU" hasnt 'ev=(refuse|entryfail|disagree)'
boot_bochs compat64-fast 60 "vms=compat64 trace=summary" || true
expect "compat64 on the fast path: the same ending, replayed in every mode, 3 VMREADs per CPUID exit" bash -c \
	"grep -q '^vm=1 ev=end status=done why=\"exit code=0\"' '$TRACE' && ! grep -Eq 'ev=(refuse|entryfail|disagree)' '$TRACE' &&
	 grep -q '^hv ev=costs reason=cpuid exits=300 vmreads=900 ' '$TRACE' &&
	 [ \$(grep -m1 '^hv ev=timing' '$TRACE' | grep -o ' replay_entries=[0-9]*' | cut -d= -f2) -ge 280 ]"

# A CPUID that ends at the top of the lower half: the next RIP,
# 0x0000800000000000, is not canonical but has bits 63:48 identical, all
# VM entry asks (SDM 27.3.1.4). The shadow passes it, the CPU enters, and
# the guest's own fetch raises #GP there, reflected to its handler.
boot_bochs lowedge 60 "vms=lowedge" || true
expect "lowedge: the CPUID exit at 0x7ffffffffffe, RIP written as 0x800000000000" bash -c \
	"grep -q '^vm=1 ev=exit n=1 reason=cpuid rip=0x7ffffffffffe len=2 tsc=[0-9]* cpu=[0-9][0-9]*$' '$TRACE' &&
	 grep -q '^vm=1 ev=vmwrite field=guest_rip value=0x800000000000' '$TRACE'"
expect "lowedge: that entry runs the RIP check, which passes, and the CPU agrees" \
	has '^vm=1 ev=entry n=2 kind=subsequent insn=vmresume checks=dirty ran=1 dirty=guest_rip verdict=ok'
expect "lowedge: the guest's fetch there raises #GP, reflected to it" bash -c \
	"grep -q '^vm=1 ev=exit n=2 reason=exception_nmi rip=0x800000000000 tsc=[0-9]* cpu=[0-9][0-9]*$' '$TRACE' &&
	 grep -q '^vm=1 ev=inject vector=13 why=reflect error=0x0 cpu=[0-9][0-9]*$' '$TRACE'"
expect "lowedge: its handler saw RIP 0x0000800000000000 and it ends with HC_EXIT 0" bash -c \
	"grep -q '^vm=1 ev=out text=\"lowedge: CPUID at the top of the lower half, then #GP at RIP 0x0000800000000000\" cpu=[0-9][0-9]*$' '$TRACE' &&
	 grep -q '^vm=1 ev=end status=done why=\"exit code=0\"' '$TRACE'"
expect "lowedge: no entry refused, failing or disagreeing with the CPU" hasnt 'ev=(refuse|entryfail|disagree)'
