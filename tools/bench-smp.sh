#!/bin/bash
# make bench, third part: several CPUs (docs/smp.md), on Bochs 2.7 with
# clock sync=none and ips=200M (TSC ticks count emulated instructions).
# Writes bench/results/smp.md and smp.csv. Not a test.
#  - what a move costs (VMCLEAR on the CPU left; VMPTRLD, the per-CPU host
#    state, full validation and VMLAUNCH on the new one) beside a switch
#    between two VMs on one CPU (VMPTRLD, the dirty fields' checks, VMRESUME);
#  - the CPUID round trip with 1, 2 and 4 CPUs, one cpuidbench VM per CPU,
#    and the CPUID exits all CPUs handle per million ticks;
#  - the cache model's hit rate per policy when VMs move every K slices.
set -u
cd "$(dirname "$0")/.."
export BOCHS_IPS=200000000
out=build/bench-smp
res=bench/results
mkdir -p "$out" "$res"
rows=()
row() {   # figure value unit
	rows+=("| $1 | $2 | $3 |")
	echo "bench-smp: $1 = $2 $3"
}
boot() {  # name cpus cmdline -> trace path
	local d=$out/$1
	rm -rf "$d"; mkdir -p "$d"
	CPUS=$2 tools/run-bochs.sh "$d" 900 "$3 cpus=$2" >/dev/null 2>&1
	grep -q '^hv ev=halt status=ok' "$d/serial.txt" 2>/dev/null ||
		{ echo "bench-smp: run $1 did not finish; last lines:" >&2; tail -3 "$d/serial.txt" >&2; }
	echo "$d/serial.txt"
}
. tools/bench-lib.sh
# The guests' own RDTSC spans (hex), one per cpuidbench VM.
spans() { grep -o 'cpuid round trips=10000 tsc=0x[0-9a-f]*' "$1" | sed 's/.*tsc=//' | while read -r h; do echo $((h)); done; }

# 1. A move against a switch: three cpuidbench VMs on two CPUs with a short
# quantum (many slices), pinned (CPU 0 switches between its two VMs: VMPTRLD
# and the dirty fields' checks) and moved every slice (VMCLEAR on the CPU
# left; VMPTRLD, the per-CPU host state, every check and VMLAUNCH on the
# new one). The validation each needs is what the runs time; the VMX
# instructions around it are a handful either way.
B3="vms=cpuidbench,cpuidbench,cpuidbench trace=summary quantum=2000"
t_pin=$(boot move-none 2 "$B3")
t_mov=$(boot move-every1 2 "$B3 migrate=every:1")
moves=$(grep '^hv ev=cpu_stats' "$t_mov" | grep -o ' moves_in=[0-9]*' | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }')
row "moves made, 3 cpuidbench VMs on 2 CPUs, quantum=2000, migrate=every:1" "$moves" "moves"
l=$(key "$t_mov" 'ev=summary' launches)
row "a move's validation: every check before its VMLAUNCH (validation time per VMLAUNCH, every:1 run)" \
	"$(div "$(key "$t_mov" 'ev=timing' validate_full_tsc)" "$l")" "TSC ticks"
row "a switch's validation: the dirty fields' checks before its VMRESUME (per VMRESUME not replayed, pinned run)" \
	"$(div "$(key "$t_pin" 'ev=timing' validate_dirty_tsc)" \
	       "$(( $(key "$t_pin" 'ev=summary' resumes) - $(key "$t_pin" 'ev=timing' replay_entries) ))")" "TSC ticks"
h=$(key "$t_mov" 'ev=summary' pmr_hits); mi=$(key "$t_mov" 'ev=summary' pmr_misses)
row "cache model (first, 2 slots per CPU), every:1 run: hit rate (each move is a miss on the new CPU)" "$(pct "$h" "$((h + mi))")" "%"
h=$(key "$t_pin" 'ev=summary' pmr_hits); mi=$(key "$t_pin" 'ev=summary' pmr_misses)
row "cache model (first, 2 slots per CPU), pinned run: hit rate" "$(pct "$h" "$((h + mi))")" "%"

# 2. One cpuidbench VM per CPU, pinned: the round trip each guest sees, and
# the CPUID exits all CPUs handle per million ticks (N x 10,000 over the
# longest span).
for n in 1 2 4; do
	m=$(printf 'cpuidbench,%.0s' $(seq 1 $n)); m=${m%,}
	t=$(boot "scale-$n" $n "vms=$m trace=summary")
	mapfile -t s < <(spans "$t")
	tot=0 max=0
	for x in "${s[@]}"; do tot=$((tot + x)); [ "$x" -gt "$max" ] && max=$x; done
	row "$n CPUs, one cpuidbench VM each: CPUID round trip as each guest sees it" "$(div "$tot" "$((${#s[@]} * 10000))")" "TSC ticks"
	row "$n CPUs: CPUID exits handled per million ticks of emulated time, all CPUs together (N x 10,000 over the longest span)" "$(div "$((n * 10000 * 1000000))" "$max")" "exits"
done

# 3. The cache model when VMs move: eight VMs on two CPUs, 2 slots per CPU.
mix8="cpuid,yield,hello,selfexit,cpuid,yield,hello,selfexit"
for k in 1 4 16; do
	for p in first threshold:4 history; do
		t=$(boot "pmr-every$k-${p%%:*}" 2 "vms=$mix8 policy=$p slots=2 trace=summary migrate=every:$k")
		h=$(key "$t" 'ev=summary' pmr_hits); mi=$(key "$t" 'ev=summary' pmr_misses)
		row "cache $p, 8 VMs on 2 CPUs, migrate=every:$k: hit rate" "$(pct "$h" "$((h + mi))")" "%"
	done
done

{
	echo "# shadowvisor on several CPUs"
	echo
	echo "Bochs $(dpkg-query -W -f='${Version}' bochs 2>/dev/null) + GRUB, corei7_skylake_x, ips=200M, clock sync=none."
	echo "Reproduce: \`make bench\` (tools/bench-smp.sh)."
	echo
	echo "| figure | value | unit |"
	echo "|---|---|---|"
	printf '%s\n' "${rows[@]}"
} > "$res/smp.md"
echo "bench-smp: wrote $res/smp.md"
