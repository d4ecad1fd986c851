#!/bin/bash
# make bench, fourth part: the linux guest (docs/linux.md) on Bochs 2.7
# with clock sync=none and ips=200M (TSC ticks count emulated
# instructions). Writes bench/results/linux.md. Not a test.
#  - the time to the kernel's userspace line under shadowvisor beside the
#    same kernel on the bare emulator, one after the other in one run, by
#    the same runner (tools/run-linux-bochs.sh): wall time from the
#    emulator's start (BIOS, GRUB loading 15 MB from the CD, then the
#    kernel), wall time from the kernel's first line, the emulator's CPU
#    time, and the kernel's own timestamp at the line (see below for why
#    the two kernels' timestamps are not the same clock);
#  - the exits of the boot by reason, and what the platform did (ev=pc);
#  - the cache model's hit rate per policy on that exit mix, Linux alone
#    and with three tiny guests beside it (2 slots).
set -u
cd "$(dirname "$0")/.."
out=build/bench-linux
res=bench/results
mkdir -p "$out" "$res"
rows=()
row() {   # figure value unit
	rows+=("| $1 | $2 | $3 |")
	echo "bench-linux: $1 = $2 $3"
}
. tools/bench-lib.sh
LINE="shadowvisor-linux: userspace reached"

# run NAME [HV_CMDLINE]: one boot; sets wall, after, cpu, stamp (the
# kernel's timestamp at the line) and trace
run() {
	local d=$out/$1 msg
	rm -rf "$d"
	msg=$(HV_CMDLINE=${2:-} tools/run-linux-bochs.sh "$d" 600 512 2>&1 | tail -1)
	trace=$d/serial.txt
	wall=$(sed -n 's/.*line after \([0-9.]*\) s wall.*/\1/p' <<<"$msg")
	after=$(sed -n 's/.*, \([0-9.]*\) s of them after.*/\1/p' <<<"$msg")
	[ -n "$wall" ] && wall=$(printf '%.1f' "$wall")
	[ -n "$after" ] && after=$(printf '%.1f' "$after")
	cpu=$(sed -n 's/.*Bochs used \([0-9.]*\) s of CPU.*/\1/p' <<<"$msg")
	stamp=$(grep -a "$LINE" "$trace" | sed -n 's/.*\[ *\([0-9.]*\)\].*/\1/p' | head -1)
	[ -n "$wall" ] || echo "bench-linux: run $1 did not reach the line: $msg" >&2
}

# 1. Bare against shadowvisor, the same kernel and command line.
run bare
b_wall=$wall b_after=$after b_cpu=$cpu b_stamp=$stamp
run hv "vms=linux"
t_hv=$trace
row "bare Bochs: wall time to the userspace line, from the emulator's start" "$b_wall" "s"
row "shadowvisor, vms=linux: the same" "$wall" "s"
row "ratio, shadowvisor / bare (aim: at most 1.5)" "$(div "$wall" "$b_wall" 2)" "x"
row "bare Bochs: wall time from the kernel's first line to the userspace line" "$b_after" "s"
row "shadowvisor: the same (from the guest's first console line)" "$after" "s"
row "bare Bochs: the emulator's CPU time to the line" "$b_cpu" "s"
row "shadowvisor: the same" "$cpu" "s"
row "ratio of CPU times, shadowvisor / bare" "$(div "$cpu" "$b_cpu" 2)" "x"
# The kernel's own timestamp counts TSC ticks at the frequency it believes.
# On the bare emulator it takes that from CPUID leaves 0x15/0x16 (3.5 GHz
# for this CPU model) while Bochs's TSC ticks 200M times per emulated
# second: those are not emulated seconds. Under shadowvisor those leaves
# are hidden and the kernel calibrates against its PIT, whose time is the
# TSC's: its timestamp is emulated time.
row "shadowvisor: the kernel's timestamp at the line, emulated time since it started (TSC ticks / $(key "$t_hv" '^hv ev=tsc' hz) Hz)" "$stamp" "s"
row "bare Bochs: the kernel's timestamp at the line, in TSC ticks / 3.5 GHz (its TSC frequency from CPUID: not emulated seconds)" "$b_stamp" "s"

# 2. The boot's exits by reason and the platform's work.
row "shadowvisor, vms=linux: exits in all (to the power-off)" "$(key "$t_hv" '^vm=1 ev=stats' exits)" "exits"
while read -r r n; do
	row "exits for $r" "$n" "exits"
done < <(grep '^hv ev=costs reason=' "$t_hv" | grep -v 'reason=vmcs_setup' |
	sed -n 's/.* reason=\([a-z_]*\) exits=\([0-9]*\).*/\1 \2/p')
for k in irqs halts windows msr_reads msr_writes msr_gp cr_writes; do
	row "platform: $k (ev=pc)" "$(key "$t_hv" '^vm=1 ev=pc' "$k")" ""
done

# 3. The cache model's hit rate per policy, Linux alone and beside three
# tiny guests (4 VMs), with 2 slots and with 1 (where every switch
# competes for the slot).
for p in first threshold:3 history; do
	for set in "linux slots=2" "linux,hello,cpuid,counter slots=2" "linux,hello,cpuid,counter slots=1"; do
		vms=${set% *} slots=${set#* }
		run "pmr-${p%%:*}-${vms//,/-}-${slots#*=}" "vms=$vms policy=$p $slots"
		h=$(key "$trace" '^hv ev=summary' pmr_hits) m=$(key "$trace" '^hv ev=summary' pmr_misses)
		lh=$(key "$trace" '^vm=1 ev=stats' pmr_hits) lm=$(key "$trace" '^vm=1 ev=stats' pmr_misses)
		row "cache $p, $slots, vms=$vms: hit rate, all VMs ($h hits, $m misses)" "$(pct "$h" "$((h + m))")" "%"
		row "cache $p, $slots, vms=$vms: hit rate, Linux's entries ($lh hits, $lm misses)" "$(pct "$lh" "$((lh + lm))")" "%"
	done
done

{
	echo "# The linux guest"
	echo
	echo "$(dpkg-query -W -f='Bochs ${Version}' bochs 2>/dev/null || echo Bochs) + GRUB, corei7_skylake_x, ips=200M, clock sync=none, 512 MB."
	echo "Kernel: $(head -1 "$(tools/linux-fetch.sh --print-path)/versions.txt" 2>/dev/null)."
	echo "Reproduce: \`make bench\` (tools/bench-linux.sh). Wall and CPU times depend on the"
	echo "machine's load; the kernel's timestamps and the counts do not."
	echo
	echo "| figure | value | unit |"
	echo "|---|---|---|"
	printf '%s\n' "${rows[@]}"
} >"$res/linux.md"
echo "bench-linux: wrote $res/linux.md"
