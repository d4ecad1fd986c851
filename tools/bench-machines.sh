#!/bin/bash
# make bench, second part: the same figures on each Bochs machine, one
# column each: Debian Bochs 2.7 + GRUB (the multiboot2 kernel) and upstream
# Bochs + OVMF (the UEFI image). Both with clock sync=none and ips=200M, so
# TSC ticks count emulated instructions and repeat run to run.
# Writes bench/results/machines.md and machines.csv. Not a test.
# Usage: tools/bench-machines.sh   (env: MACHINES, default both when
# upstream Bochs is built or can be built, else bochs27)
set -u
cd "$(dirname "$0")/.."
export BOCHS_IPS=200000000
out=build/bench-machines
res=bench/results
mkdir -p "$out" "$res"
if [ -z "${MACHINES:-}" ]; then
	MACHINES=bochs27
	tools/build-bochs.sh >/dev/null && MACHINES="bochs27 bochs-uefi"
fi
declare -A V
fig() {   # fig MACHINE "figure" VALUE
	V["$2|$1"]=$3
	echo "bench-machines: [$1] $2 = $3"
}
boot() {  # machine name cmdline -> trace path
	local d=$out/$1/$2
	rm -rf "$d"; mkdir -p "$d"
	case $1 in
	bochs27) tools/run-bochs.sh "$d" 900 "$3" >/dev/null 2>&1 ;;
	bochs-uefi) tools/run-uefi-bochs.sh "$d" 900 "$3" >/dev/null 2>&1 ;;
	esac
	grep -q '^hv ev=halt status=ok' "$d/serial.txt" 2>/dev/null ||
		{ echo "bench-machines: [$1] run $2 did not finish; last lines:" >&2; tail -3 "$d/serial.txt" >&2; }
	echo "$d/serial.txt"
}
. tools/bench-lib.sh
rt_of() { div "$(( $(grep -m1 'ev=out text="cpuid round trips' "$1" | grep -o 'tsc=0x[0-9a-f]*' | cut -d= -f2) ))" 10000; }
mix_of() { div "$(( $(grep -m1 'ev=out text="mixbench exits' "$1" | grep -o 'tsc=0x[0-9a-f]*' | cut -d= -f2) ))" 10000; }

F_RT="CPUID exit round trip, mean of 10,000, default (fast path with replay)"
F_RTOFF="CPUID exit round trip, mean of 10,000, fastpath=off"
F_MIX="mixbench: mean exit round trip (CPUID, VMCALL, IN, OUT), default"
F_MIXOFF="mixbench: mean exit round trip, fastpath=off"
F_LAUNCH="validation time per VMLAUNCH (demo)"
F_RESUME="validation time per VMRESUME not replayed (demo)"
F_BOOT="boot to first VM entry, from the firmware hand-off (GRUB: multiboot2 entry; OVMF: efi_main)"
figs=("$F_RT" "$F_RTOFF" "$F_MIX" "$F_MIXOFF" "$F_LAUNCH" "$F_RESUME" "$F_BOOT")
for m in $MACHINES; do
	t0=$SECONDS
	t=$(boot "$m" cpuid "vms=cpuidbench trace=summary")
	fig "$m" "$F_RT" "$(rt_of "$t")"
	fig "$m" "$F_BOOT" "$(key "$t" 'ev=timing' boot_to_first_entry)"
	t=$(boot "$m" cpuid-off "vms=cpuidbench trace=summary fastpath=off")
	fig "$m" "$F_RTOFF" "$(rt_of "$t")"
	fig "$m" "$F_MIX" "$(mix_of "$(boot "$m" mix "vms=mixbench trace=summary")")"
	fig "$m" "$F_MIXOFF" "$(mix_of "$(boot "$m" mix-off "vms=mixbench trace=summary fastpath=off")")"
	t=$(boot "$m" demo "vms=hello,cpuid,yield,realmode,counter,selfexit trace=summary")
	l=$(key "$t" 'ev=summary' launches); r=$(key "$t" 'ev=summary' resumes)
	fig "$m" "$F_LAUNCH" "$(div "$(key "$t" 'ev=timing' validate_full_tsc)" "$l")"
	nr=""; [ -n "$r" ] && nr=$((r - $(key "$t" 'ev=timing' replay_entries)))
	fig "$m" "$F_RESUME" "$(div "$(key "$t" 'ev=timing' validate_dirty_tsc)" "$nr")"
	echo "bench-machines: [$m] took $((SECONDS - t0)) s of wall time"
done

name() { case $1 in bochs27) echo "Bochs $(dpkg-query -W -f='${Version}' bochs 2>/dev/null) + GRUB" ;;
	bochs-uefi) echo "upstream Bochs ($("$(tools/build-bochs.sh --print-path)" --help 2>&1 | grep -om1 'Bochs x86 Emulator [^ ]*' | cut -d' ' -f4)) + OVMF" ;; esac; }
{
	echo "# shadowvisor on each Bochs machine"
	echo
	echo "corei7_skylake_x, clock sync=none, ips=200M: one TSC tick is about one emulated"
	echo "instruction. Reproduce: \`make bench\` (tools/bench-machines.sh). Unit: TSC ticks."
	echo
	hdr="| figure |" sep="|---|"
	for m in $MACHINES; do hdr="$hdr $m: $(name "$m") |"; sep="$sep---|"; done
	echo "$hdr"; echo "$sep"
	for f in "${figs[@]}"; do
		line="| $f |"
		for m in $MACHINES; do line="$line ${V["$f|$m"]:-n/a} |"; done
		echo "$line"
	done
} > "$res/machines.md"
{
	echo "figure,machine,value,unit"
	for f in "${figs[@]}"; do for m in $MACHINES; do echo "\"$f\",$m,${V["$f|$m"]:-},TSC ticks"; done; done
} > "$res/machines.csv"
echo "bench-machines: wrote $res/machines.md and $res/machines.csv"
