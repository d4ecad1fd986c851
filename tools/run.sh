#!/bin/bash
# make run / run-bochs / run-uefi: boot the demo and show its trace.
# Usage: tools/run.sh MACHINE   (env: VMS, POLICY, SLOTS, QUANTUM, TIMEOUT)
# MACHINE: auto, kvm (QEMU + KVM nested VT-x + OVMF), bochs-uefi (upstream
# Bochs + OVMF, the UEFI image), bochs27 (Debian Bochs 2.7 + GRUB, the
# multiboot2 kernel), qemu-tcg (QEMU TCG + OVMF: no VMX, the image stops
# with its message); bochs and uefi are the older names of bochs27 and of
# QEMU + OVMF (KVM when usable). auto picks the first that works of kvm,
# bochs-uefi (cached, or built now when its source is found) and bochs27,
# and says which and why (docs/machines.md).
set -u
cd "$(dirname "$0")/.."
mode=${1:-auto}
cmdline="vms=${VMS:-hello,cpuid,yield,realmode,counter,selfexit}"
[ -n "${POLICY:-}" ] && cmdline="$cmdline policy=$POLICY"
[ -n "${SLOTS:-}" ] && cmdline="$cmdline slots=$SLOTS"
[ -n "${QUANTUM:-}" ] && cmdline="$cmdline quantum=$QUANTUM"
timeout_s=${TIMEOUT:-300}
out=build/run
accel_force=""

# Why KVM cannot run shadowvisor here, or nothing when it can.
kvm_problem() {
	[ -e /dev/kvm ] || { echo "no /dev/kvm"; return; }
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "/dev/kvm is not accessible to $(id -un)"; return; }
	grep -qw vmx /proc/cpuinfo || { echo "the host CPU has no vmx flag (not Intel VT-x)"; return; }
	local nested=/sys/module/kvm_intel/parameters/nested
	[ -r $nested ] && grep -qiE '^(y|1)' $nested || { echo "kvm_intel nested VMX is off (modprobe kvm_intel nested=1)"; return; }
	command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 is missing"; return; }
	# Last word from KVM itself: will a guest see CPUID.1:ECX.VMX?
	if command -v python3 >/dev/null && ! python3 tools/kvm-probe.py >/dev/null 2>&1; then
		echo "KVM does not offer VMX to its guests (tools/kvm-probe.py)"; return
	fi
}

# Ctrl-C or TERM: the runner (in the background here, so it ignores SIGINT)
# gets TERM and kills its emulator's process group.
runpid=""
trap '[ -n "$runpid" ] && kill -TERM "$runpid" 2>/dev/null; wait; exit 130' INT TERM
show() {   # stream the trace while the emulator runs
	local pid=$1
	runpid=$pid
	while [ ! -f "$out/serial.txt" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
	[ -f "$out/serial.txt" ] && tail -n +1 -f --pid="$pid" "$out/serial.txt" | grep -aE --line-buffered '^(hv |vm=)'
	wait "$pid"
}

if [ "$mode" = auto ]; then
	why=$(kvm_problem)
	if [ -z "$why" ]; then
		echo "run: machine kvm (QEMU + KVM nested VT-x + OVMF): this host has a usable VT-x KVM"
		mode=kvm
	else
		echo "run: not kvm: KVM cannot run shadowvisor here ($why)"
		if tools/build-bochs.sh --check; then
			echo "run: machine bochs-uefi (upstream Bochs + OVMF, emulated VT-x): its build is cached or its source is found"
			mode=bochs-uefi
		else
			echo "run: machine bochs27 (Debian Bochs 2.7 + GRUB, emulated VT-x): no upstream Bochs source (set BOCHS_SRC, docs/machines.md)"
			mode=bochs27
		fi
	fi
fi
case $mode in
bochs) mode=bochs27 ;;
qemu-tcg) mode=uefi accel_force=tcg ;;
esac
if [ "$mode" = bochs-uefi ] && ! tools/build-bochs.sh --print-path >/dev/null 2>&1; then
	echo "run: building upstream Bochs first (once; it is cached afterwards)"
	if ! tools/build-bochs.sh >/dev/null; then
		[ "${1:-auto}" = auto ] || { echo "run: upstream Bochs could not be built (see above)"; exit 1; }
		echo "run: machine bochs27 (Debian Bochs 2.7 + GRUB): upstream Bochs could not be built (see above)"
		mode=bochs27
	fi
fi
rm -rf "$out"; mkdir -p "$out"
case $mode in
bochs27)
	echo "run: booting build/hv.elf through GRUB in Bochs 2.7, cmdline: $cmdline"
	tools/run-bochs.sh "$out" "$timeout_s" "$cmdline" & show $!; rc=$? ;;
bochs-uefi)
	echo "run: booting build/hypervisor.efi with OVMF in upstream Bochs, cmdline: $cmdline"
	tools/run-uefi-bochs.sh "$out" "$timeout_s" "$cmdline" & show $!; rc=$? ;;
uefi | kvm)
	accel=tcg
	[ "$mode" = kvm ] && accel=kvm
	[ "$mode" = uefi ] && [ -z "${accel_force:-}" ] && [ -z "$(kvm_problem)" ] && accel=kvm
	echo "run: booting build/hypervisor.efi in QEMU ($accel) + OVMF, cmdline: $cmdline"
	tools/run-uefi.sh "$out" "$timeout_s" "$cmdline" "$accel" & show $!; rc=$?
	if [ "$accel" = kvm ] && ! grep -q '^hv ev=boot' "$out/serial.txt" 2>/dev/null; then
		echo "run: QEMU with KVM did not boot (see $out/qemu.out); falling back to Bochs"
		tools/run-bochs.sh "$out" "$timeout_s" "$cmdline" & show $!; rc=$?
	fi ;;
*) echo "usage: tools/run.sh auto|kvm|bochs-uefi|bochs27|qemu-tcg (or bochs, uefi)"; exit 2 ;;
esac
case $rc in
124) echo "run: timed out after ${timeout_s}s; last lines:"; tail -5 "$out/serial.txt" ;;
esac
echo "run: trace in $out/serial.txt"
if [ -x build/tools/svtrace ] && grep -q '^hv ev=summary' "$out/serial.txt" 2>/dev/null; then
	echo "run: svtrace summary of the run:"
	build/tools/svtrace summary "$out/serial.txt"
	build/tools/svtrace check "$out/serial.txt"
fi
grep -q '^hv ev=halt status=ok' "$out/serial.txt" 2>/dev/null
