#!/bin/bash
# Issue 7: the fast path (CPUID exits handled at the exit, VMRESUME without
# unwinding to the scheduler) and its replay (a CPUID round trip repeated
# in its steady state) change the cost, not the behaviour: the same VM mix
# run with fastpath=on, fastpath=noreplay and fastpath=off makes the same
# entries, runs the same checks, sees the same cache hits and issues the
# same VMREADs and VMWRITEs per exit reason, and each is really taken.
. "$(dirname "$0")/lib.sh"
MIX="vms=cpuid,yield,counter,selfexit,hello trace=summary"
declare -A T
for f in on noreplay off; do
	boot_bochs "fastpath-$f" 120 "$MIX fastpath=$f" || true
	T[$f]=$TRACE
	expect "fastpath=$f: the config line says so" has "^hv ev=config .* fastpath=$f cpu=[0-9][0-9]*\$"
	expect "fastpath=$f: every VM finished" bash -c "[ \$(grep -c ' ev=end status=done' '$TRACE') = 5 ]"
	expect "fastpath=$f: svtrace check accepts the trace" build/tools/svtrace check "$TRACE"
done
key() { grep -m1 "$2" "${T[$1]}" | grep -o " $3=[0-9]*" | cut -d= -f2; }
TRACE=${T[on]}
expect "fastpath=on: CPUID exits were handled on the fast path" test "$(key on '^hv ev=timing' fast_entries)" -gt 100
expect "fastpath=on: most of those entries were replays" test "$(key on '^hv ev=timing' replay_entries)" -gt 100
expect "fastpath=noreplay: the fast path was taken" test "$(key noreplay '^hv ev=timing' fast_entries)" -gt 100
expect "fastpath=noreplay: no replay" test "$(key noreplay '^hv ev=timing' replay_entries)" -eq 0
expect "fastpath=off: no entry was made on the fast path" test "$(key off '^hv ev=timing' fast_entries)" -eq 0
same() {   # same MODE REGEX: the matching lines are identical with MODE and with fastpath=off
	local a b
	a=$(grep -E "$2" "${T[$1]}"); b=$(grep -E "$2" "${T[off]}")
	[ -n "$a" ] && [ "$a" = "$b" ] || { echo "$1: $a"; echo "off: $b"; return 1; }
}
for f in on noreplay; do
	expect "fastpath=$f: same summary (entries, checks, cache counters) as fastpath=off" same $f '^hv ev=summary '
	expect "fastpath=$f: same per-VM stats as fastpath=off" same $f '^vm=[0-9]+ ev=stats '
	expect "fastpath=$f: same VMREADs and VMWRITEs per exit reason as fastpath=off" same $f '^hv ev=costs '
	expect "fastpath=$f: same guest output and endings as fastpath=off" same $f '^vm=[0-9]+ ev=(out|end) '
done

# And it is cheaper: the guest's own clock (Bochs, instruction-counted TSC)
# sees shorter CPUID round trips.
rt() { grep -m1 'ev=out text="cpuid round trips' "$1" | grep -o 'tsc=0x[0-9a-f]*' | cut -d= -f2; }
boot_bochs "fastpath-bench-on" 120 "vms=cpuidbench trace=summary fastpath=on" || true
on=$TRACE
boot_bochs "fastpath-bench-noreplay" 120 "vms=cpuidbench trace=summary fastpath=noreplay" || true
noreplay=$TRACE
boot_bochs "fastpath-bench-off" 120 "vms=cpuidbench trace=summary fastpath=off" || true
off=$TRACE
expect "cpuidbench: the fast path makes CPUID round trips cheaper ($(( $(rt "$noreplay") )) vs $(( $(rt "$off") )) ticks per 10,000)" \
	test "$(( $(rt "$noreplay") ))" -lt "$(( $(rt "$off") ))"
expect "cpuidbench: the replay makes them cheaper still ($(( $(rt "$on") )) vs $(( $(rt "$noreplay") )) ticks per 10,000)" \
	test "$(( $(rt "$on") ))" -lt "$(( $(rt "$noreplay") ))"

# Why a CPUID exit costs 3 VMREADs (reason, RIP, length) and 1 VMWRITE:
# the length is not always 2. Prefixed CPUIDs of 3, 4 and 15 bytes exit
# with those lengths (SDM Vol. 3C 28.2.4), on both paths.
boot_bochs "cpuidlen" 60 "vms=cpuidlen" || true
expect "cpuidlen: the CPU reports instruction lengths 2, 3, 4 and 15 for CPUID exits" bash -c \
	"[ \"\$(grep -o 'reason=cpuid rip=0x[0-9a-f]* len=[0-9]*' '$TRACE' | sed 's/.*len=//' | tr '\n' ' ')\" = '2 3 4 15 ' ]"
expect "cpuidlen: RIP advanced by those lengths, every INC ran" has '^vm=1 ev=out text="cpuid lengths ok: 4 of 4"'
boot_bochs "cpuidlen-fast" 60 "vms=cpuidlen trace=summary" || true
expect "cpuidlen on the fast path: every INC ran" has '^vm=1 ev=out text="cpuid lengths ok: 4 of 4"'
expect "cpuidlen on the fast path: it was taken" test "$(grep -m1 '^hv ev=timing' "$TRACE" | grep -o ' fast_entries=[0-9]*' | cut -d= -f2)" -ge 3
expect "cpuidlen on the fast path: and replayed, with lengths 3, 4 and 15 after a 2" \
	test "$(grep -m1 '^hv ev=timing' "$TRACE" | grep -o ' replay_entries=[0-9]*' | cut -d= -f2)" -ge 2

# Outside 64-bit mode the instruction pointer is EIP: a CPUID whose last
# byte is at EIP 0xffffffff is followed by EIP 0. RIP 0x100000000 would
# fail VM entry (bits 63:32 must be 0 outside 64-bit mode).
boot_bochs "eipwrap" 60 "vms=eipwrap" || true
expect "eipwrap: after the CPUID at EIP 0xfffffffe the VMM writes RIP 0, not 0x100000000" bash -c \
	"grep -A1 '^vm=1 ev=exit n=[0-9]* reason=cpuid rip=0xfffffffe len=2 tsc=[0-9]* cpu=[0-9][0-9]*$' '$TRACE' |
	 grep -q '^vm=1 ev=vmwrite field=guest_rip value=0x0 status=ok'"
expect "eipwrap: the shadow passes that entry, the CPU agrees, the code at EIP 0 runs" \
	has '^vm=1 ev=out text="eipwrap: CPUID at EIP 0xfffffffe, went on at EIP 0" cpu=[0-9][0-9]*$'
expect "eipwrap: it ends with HC_EXIT 0, nothing refused or failing" bash -c \
	"grep -q '^vm=1 ev=end status=done why=\"exit code=0\"' '$TRACE' && ! grep -Eq 'ev=(refuse|entryfail|disagree)' '$TRACE'"
boot_bochs "eipwrap-fast" 60 "vms=eipwrap trace=summary" || true
expect "eipwrap on the fast path: the same (the replay declines the crossing, the fast path wraps)" bash -c \
	"grep -q '^vm=1 ev=out text=\"eipwrap: CPUID at EIP 0xfffffffe, went on at EIP 0\" cpu=[0-9][0-9]*$' '$TRACE' &&
	 grep -q '^vm=1 ev=end status=done why=\"exit code=0\"' '$TRACE'"
expect "eipwrap on the fast path: its loop was replayed" \
	test "$(grep -m1 '^hv ev=timing' "$TRACE" | grep -o ' replay_entries=[0-9]*' | cut -d= -f2)" -ge 40
