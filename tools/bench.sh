#!/bin/bash
# make bench: what each exit and entry costs, and what the shadow saves.
# Bochs with clock sync=none and ips=200M: the TSC advances about one tick
# per emulated instruction, so the numbers repeat run to run. Not a test:
# it measures and writes bench/results/latest.md and latest.csv.
set -u
cd "$(dirname "$0")/.."
export BOCHS_IPS=200000000
out=build/bench
res=bench/results
mkdir -p "$out" "$res"
machine="Bochs $(dpkg-query -W -f='${Version}' bochs 2>/dev/null) corei7_skylake_x, ips=200M, clock sync=none (host: $(uname -m))"
csv=$res/latest.csv
md=$res/latest.md
echo "figure,value,unit,machine" > "$csv"
rows=()
row() {   # figure value unit
	echo "\"$1\",$2,$3,\"$machine\"" >> "$csv"
	rows+=("| $1 | $2 | $3 |")
	echo "bench: $1 = $2 $3"
}
boot() {  # name cmdline [seconds: stop it then, a partial trace is enough] -> trace path
	local d=$out/$1
	rm -rf "$d"; mkdir -p "$d"
	tools/run-bochs.sh "$d" "${3:-600}" "$2" >/dev/null 2>&1
	if [ -z "${3:-}" ] && ! grep -q '^hv ev=halt status=ok' "$d/serial.txt" 2>/dev/null; then
		echo "bench: run $1 did not finish; last lines:" >&2
		tail -3 "$d/serial.txt" >&2
	fi
	echo "$d/serial.txt"
}
. tools/bench-lib.sh
not_replayed() { echo $(( $(key "$1" 'ev=summary' resumes) - $(key "$1" 'ev=timing' replay_entries) )); }   # VMRESUMEs
vmx_per_cpuid() {  # trace -> VMREAD + VMWRITE per CPUID exit
	div "$(( $(key "$1" 'ev=costs reason=cpuid' vmreads) + $(key "$1" 'ev=costs reason=cpuid' vmwrites) ))" \
		"$(key "$1" 'ev=costs reason=cpuid' exits)"
}
tsc_of() { grep -o 'tsc=0x[0-9a-f]*' | head -1 | cut -d= -f2; }

# 1. One CPUID exit round trip, seen from the guest: with the fast path
# and its replay (the default: handled at the exit, VMRESUME without
# unwinding, a steady-state round trip replayed), with the fast path alone
# (fastpath=noreplay) and without either (fastpath=off: every exit goes
# back to the scheduler loop).
rt_of() { div "$(( $(grep -m1 'ev=out text="cpuid round trips' "$1" | tsc_of) ))" 10000; }
t=$(boot cpuid1 "vms=cpuidbench trace=summary")
rt=$(rt_of "$t")
rt_fast=$rt
row "CPUID exit round trip (guest CPUID to its next instruction), mean of 10,000, fast path with replay (default)" "$rt" "TSC ticks"
row "host instructions per CPUID exit handled, fast path with replay (round trip minus the guest's 4-instruction loop)" \
	"$(awk -v r="$rt" 'BEGIN { printf "%.1f", r - 4 }')" "instructions"
row "CPUID exits whose next entry was made on the fast path" \
	"$(pct "$(key "$t" 'ev=timing' fast_entries)" "$(key "$t" 'ev=costs reason=cpuid' exits)")" "%"
row "CPUID exits whose round trip was a replay" \
	"$(pct "$(key "$t" 'ev=timing' replay_entries)" "$(key "$t" 'ev=costs reason=cpuid' exits)")" "%"
row "validation of the dirty fields per VMRESUME not replayed (a replay's one check is not timed)" \
	"$(div "$(key "$t" 'ev=timing' validate_dirty_tsc)" "$(not_replayed "$t")")" "TSC ticks"
ex=$(key "$t" 'ev=costs reason=cpuid' exits); rd=$(key "$t" 'ev=costs reason=cpuid' vmreads); wr=$(key "$t" 'ev=costs reason=cpuid' vmwrites)
row "VMREAD per CPUID exit (exit reason, guest RIP, instruction length)" "$(div "$rd" "$ex")" "instructions"
row "VMWRITE per CPUID exit (guest RIP; plus a preemption-timer reload per time slice: a VM alone gets one each time the timer fires)" "$(div "$wr" "$ex")" "instructions"
row "time from firmware hand-off (GRUB) to the first VM entry" "$(key "$t" 'ev=timing' boot_to_first_entry)" "TSC ticks"
t=$(boot cpuid1-noreplay "vms=cpuidbench trace=summary fastpath=noreplay")
rt_noreplay=$(rt_of "$t")
row "CPUID exit round trip, fastpath=noreplay (the fast path alone)" "$rt_noreplay" "TSC ticks"
row "host instructions per CPUID exit handled, fastpath=noreplay" "$(awk -v r="$rt_noreplay" 'BEGIN { printf "%.1f", r - 4 }')" "instructions"
t=$(boot cpuid1-slow "vms=cpuidbench trace=summary fastpath=off")
rt=$(rt_of "$t")
row "CPUID exit round trip, fastpath=off (through the scheduler loop)" "$rt" "TSC ticks"
row "host instructions per CPUID exit handled, fastpath=off" "$(awk -v r="$rt" 'BEGIN { printf "%.1f", r - 4 }')" "instructions"
# The steady replay apart from the time slices: the same run with a quantum
# the guest never uses up (no preemption-timer exit, no timer reload).
t=$(boot cpuid1-steady "vms=cpuidbench trace=summary quantum=4000000000")
rt_steady=$(rt_of "$t")
row "CPUID exit round trip, steady replay (quantum=4000000000: no time slice ends during the loop)" "$rt_steady" "TSC ticks"
row "time-slice overhead per CPUID round trip, amortised (default minus steady replay)" \
	"$(awk -v a="$rt_fast" -v b="$rt_steady" 'BEGIN { printf "%.1f", a - b }')" "TSC ticks"
# What a user of a default make run gets: trace=all prints a line per
# exit and per VMX instruction on the serial port, so no exit takes the
# fast path and the serial port's emulation is in the figure. It is slow
# to emulate: the first 60 s of cpuidbench, and the mean of the tsc= steps
# between its consecutive CPUID exit lines.
t=$(boot cpuid1-traced "vms=cpuidbench" 60)
row "CPUID exit round trip with make run's defaults (trace=all: per-exit lines on the serial port, slow path; mean of the first exits' tsc= steps)" \
	"$(grep 'ev=exit .*reason=cpuid' "$t" | head -n -1 | grep -o ' tsc=[0-9]*' | cut -d= -f2 |
	   awk 'NR > 2 { s += $1 - p; n++ } { p = $1 } END { if (n) printf "%.1f", s / n; else print "n/a" }')" "TSC ticks"
# 1c. mixbench: 10,000 exits of four kinds in a loop (guest/mixbench.asm),
# the mean round trip as the guest sees it, with 2.5 guest instructions per
# exit of its own.
mix_of() { div "$(( $(grep -m1 'ev=out text="mixbench exits' "$1" | tsc_of) ))" 10000; }
for o in default noreplay off; do
	opt=""; [ $o != default ] && opt="fastpath=$o"
	t=$(boot "mix-$o" "vms=mixbench trace=summary $opt")
	[ $o = default ] && t_mix=$t
	row "mixbench: mean exit round trip (CPUID, VMCALL HC_VMID, IN 0x3fd, OUT 0x80 in turn), ${opt:-default (fast path with replay)}" \
		"$(mix_of "$t")" "TSC ticks"
done
row "mixbench: validation time per VMRESUME (the dirty fields' checks from the VM's memo), default" \
	"$(div "$(key "$t_mix" 'ev=timing' validate_dirty_tsc)" "$(not_replayed "$t_mix")")" "TSC ticks"
# 1a. The same loop in a 64-bit guest (IA-32e, the VMM's paging): below
# 4 GiB, and at the guest's alias above 4 GiB, where a 64-bit kernel's
# code usually is and the entry check on RIP reads the mode.
for g in cpuidbench64 cpuidbench64hi; do
	where="below 4 GiB"; [ $g = cpuidbench64hi ] && where="above 4 GiB"
	t=$(boot "$g" "vms=$g trace=summary")
	ex=$(key "$t" 'ev=costs reason=cpuid' exits)
	row "CPUID exit round trip, 64-bit guest, RIP $where ($g), default" "$(rt_of "$t")" "TSC ticks"
	row "CPUID exits replayed, 64-bit guest, RIP $where" "$(pct "$(key "$t" 'ev=timing' replay_entries)" "$ex")" "%"
	row "VMREAD + VMWRITE per CPUID exit, 64-bit guest, RIP $where" \
		"$(vmx_per_cpuid "$t")" "instructions"
done

# 1b. Where the round trip goes: two floor builds of the same sources
# (never the image make run boots; they exist to be measured; neither has
# the replay). Level 1 makes the next entry without the shadow's work
# (validation, cache model, entry counters); level 2 handles the CPUID exit
# with bare VMX instructions (exit reason, RIP, length, RIP write) and
# nothing else.
boot_floor() {  # level [options] -> trace path
	make --no-print-directory -s build/bench-floor$1.elf >/dev/null || echo "bench: floor build $1 failed" >&2
	HV_ELF=build/bench-floor$1.elf boot "floor$1${2:+-steady}" "vms=cpuidbench trace=summary ${2:-}"
}
f1=$(rt_of "$(boot_floor 1)")
f2=$(rt_of "$(boot_floor 2)")
f2_steady=$(rt_of "$(boot_floor 2 quantum=4000000000)")
row "CPUID exit round trip, floor build 1: the next entry without the shadow's work" "$f1" "TSC ticks"
row "CPUID exit round trip, floor build 2: bare handler (4 VMX instructions + CPUID, no shadow, no counters)" "$f2" "TSC ticks"
row "host instructions per CPUID exit, bare handler (floor 2 minus the guest's loop)" \
	"$(awk -v r="$f2" 'BEGIN { printf "%.1f", r - 4 }')" "instructions"
row "CPUID exit round trip, floor build 2 with the steady replay's quantum (quantum=4000000000)" "$f2_steady" "TSC ticks"
row "the shadow's and the counters' work per replayed CPUID exit, like for like (steady replay minus floor 2, both with quantum=4000000000)" \
	"$(awk -v a="$rt_steady" -v b="$f2_steady" 'BEGIN { printf "%.1f", a - b }')" "instructions"
row "fastpath=noreplay: the shadow's work at the next entry (noreplay minus floor 1)" "$(awk -v a="$rt_noreplay" -v b="$f1" 'BEGIN { printf "%.1f", a - b }')" "instructions"
row "fastpath=noreplay: the shadow's and the counters' work at the exit (floor 1 minus floor 2)" "$(awk -v a="$f1" -v b="$f2" 'BEGIN { printf "%.1f", a - b }')" "instructions"

# 2. The demo: checks per VMLAUNCH vs VMRESUME, costs by exit reason.
t=$(boot demo "vms=hello,cpuid,yield,realmode,counter,selfexit trace=summary")
l=$(key "$t" 'ev=summary' launches); r=$(key "$t" 'ev=summary' resumes)
cf=$(key "$t" 'ev=summary' checks_full); cd=$(key "$t" 'ev=summary' checks_dirty)
row "checks run per VMLAUNCH (full validation)" "$(div "$cf" "$l")" "checks"
row "checks run per VMRESUME (dirty fields only)" "$(div "$cd" "$r")" "checks"
row "VMRESUME checks as a share of VMLAUNCH checks" "$(pct "$(div "$cd" "$r")" "$(div "$cf" "$l")")" "%"
row "validation time per VMLAUNCH" "$(div "$(key "$t" 'ev=timing' validate_full_tsc)" "$l")" "TSC ticks"
row "validation time per VMRESUME not replayed" "$(div "$(key "$t" 'ev=timing' validate_dirty_tsc)" "$(not_replayed "$t")")" "TSC ticks"
while read -r line; do
	reason=$(grep -o 'reason=[a-z_]*' <<<"$line" | cut -d= -f2)
	e=$(grep -o ' exits=[0-9]*' <<<"$line" | cut -d= -f2)
	a=$(grep -o ' vmreads=[0-9]*' <<<"$line" | cut -d= -f2)
	b=$(grep -o ' vmwrites=[0-9]*' <<<"$line" | cut -d= -f2)
	if [ "$reason" = vmcs_setup ]; then
		row "VMREAD + VMWRITE per first entry, whole-VMCS set-up ($e VMLAUNCHes in the demo)" "$(div "$((a + b))" "$e")" "instructions"
	else
		row "VMREAD + VMWRITE per exit, reason $reason ($e exits in the demo)" "$(div "$((a + b))" "$e")" "instructions"
	fi
done < <(grep '^hv ev=costs ' "$t")

# 3. Cache policies x VM mixes, 2 slots.
mix8="cpuid,yield,hello,selfexit,cpuid,yield,hello,selfexit"
mix32="$mix8,$mix8,$mix8,$mix8"
for n in 2 8 32; do
	case $n in 2) m="cpuid,yield" ;; 8) m=$mix8 ;; 32) m=$mix32 ;; esac
	for p in first threshold:4 history; do
		t=$(boot "pmr-$n-${p%%:*}" "vms=$m policy=$p slots=2 trace=summary")
		h=$(key "$t" 'ev=summary' pmr_hits); mi=$(key "$t" 'ev=summary' pmr_misses)
		row "cache $p, $n VMs, 2 slots: hit rate" "$(pct "$h" "$((h + mi))")" "%"
		row "cache $p, $n VMs, 2 slots: evictions" "$(key "$t" 'ev=summary' pmr_evicts)" "evictions"
		row "cache $p, $n VMs, 2 slots: bytes loaded from memory" "$(key "$t" 'ev=summary' pmr_miss_bytes)" "bytes"
	done
done

# 4. Growth with the number of VMs.
for n in 1 2 8 32; do
	m=$(printf 'cpuidbench,%.0s' $(seq 1 $n)); m=${m%,}
	t=$(boot "scale-$n" "vms=$m trace=summary")
	sum=0 cnt=0
	while read -r x; do sum=$((sum + x)); cnt=$((cnt + 1)); done < <(grep 'ev=out text="cpuid round trips' "$t" | tsc_of | while read -r h; do echo $((h)); done)
	row "$n VMs of cpuidbench: CPUID round trip as each guest sees it (includes time other VMs ran)" "$(div "$sum" "$((cnt * 10000))")" "TSC ticks"
	row "$n VMs of cpuidbench: CPU time per CPUID exit handled (round trip / VMs)" "$(div "$sum" "$((cnt * 10000 * n))")" "TSC ticks"
	row "$n VMs: time from hand-off to the first VM entry" "$(key "$t" 'ev=timing' boot_to_first_entry)" "TSC ticks"
	ex=$(key "$t" 'ev=costs reason=cpuid' exits)
	row "$n VMs: VMREAD + VMWRITE per CPUID exit" \
		"$(vmx_per_cpuid "$t")" "instructions"
	r=$(key "$t" 'ev=summary' resumes)
	row "$n VMs: checks per VMRESUME" "$(div "$(key "$t" 'ev=summary' checks_dirty)" "$r")" "checks"
	row "$n VMs: validation time per VMRESUME not replayed" "$(div "$(key "$t" 'ev=timing' validate_dirty_tsc)" "$(not_replayed "$t")")" "TSC ticks"
	row "$n VMs: CPUID exits replayed" "$(pct "$(key "$t" 'ev=timing' replay_entries)" "$ex")" "%"
	h=$(key "$t" 'ev=summary' pmr_hits); mi=$(key "$t" 'ev=summary' pmr_misses)
	row "$n VMs: cache hit rate (first, 2 slots)" "$(pct "$h" "$((h + mi))")" "%"
	row "$n VMs: cache evictions (first, 2 slots)" "$(key "$t" 'ev=summary' pmr_evicts)" "evictions"
done

{
	echo "# shadowvisor benchmarks"
	echo
	echo "Machine: $machine. Date: $(date -u +%Y-%m-%d). Reproduce: \`make bench\`."
	echo
	echo "| figure | value | unit |"
	echo "|---|---|---|"
	printf '%s\n' "${rows[@]}"
} > "$md"
echo "bench: wrote $md and $csv"

# The figures that compare the machines, one column each (Bochs 2.7 + GRUB,
# upstream Bochs + OVMF): tools/bench-machines.sh.
tools/bench-machines.sh
# Several CPUs: moves, scaling, the cache model under migration.
tools/bench-smp.sh
# The linux guest: its boot time against the bare emulator, its exits, the
# cache model on its exit mix: tools/bench-linux.sh.
tools/bench-linux.sh
