#!/bin/bash
# make run / run-bochs / run-uefi: boot the demo and show its trace.
# Usage: tools/run.sh auto|bochs|uefi   (env: VMS, POLICY, SLOTS, QUANTUM, TIMEOUT)
# auto picks QEMU+KVM+OVMF when this host has a usable VT-x KVM with nested
# VMX, else Bochs with an emulated VMX CPU, and says which and why.
set -u
cd "$(dirname "$0")/.."
mode=${1:-auto}
cmdline="vms=${VMS:-hello,cpuid,yield,realmode,counter,selfexit}"
[ -n "${POLICY:-}" ] && cmdline="$cmdline policy=$POLICY"
[ -n "${SLOTS:-}" ] && cmdline="$cmdline slots=$SLOTS"
[ -n "${QUANTUM:-}" ] && cmdline="$cmdline quantum=$QUANTUM"
timeout_s=${TIMEOUT:-300}
out=build/run

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

show() {   # stream the trace while the emulator runs
	local pid=$1
	while [ ! -f "$out/serial.txt" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
	[ -f "$out/serial.txt" ] && tail -n +1 -f --pid="$pid" "$out/serial.txt" | grep -aE --line-buffered '^(hv |vm=)'
	wait "$pid"
}

if [ "$mode" = auto ]; then
	why=$(kvm_problem)
	if [ -z "$why" ]; then
		echo "run: QEMU + KVM (-cpu host, nested VT-x) + OVMF: this host has a usable VT-x KVM"
		mode=kvm
	else
		echo "run: Bochs with an emulated VMX CPU: KVM cannot run shadowvisor here ($why)"
		mode=bochs
	fi
fi
rm -rf "$out"; mkdir -p "$out"
case $mode in
bochs)
	echo "run: booting build/hv.elf through GRUB in Bochs, cmdline: $cmdline"
	tools/run-bochs.sh "$out" "$timeout_s" "$cmdline" & show $!; rc=$? ;;
uefi | kvm)
	accel=tcg
	[ "$mode" = kvm ] && accel=kvm
	[ "$mode" = uefi ] && [ -z "$(kvm_problem)" ] && accel=kvm
	echo "run: booting build/hypervisor.efi in QEMU ($accel) + OVMF, cmdline: $cmdline"
	tools/run-uefi.sh "$out" "$timeout_s" "$cmdline" "$accel" & show $!; rc=$?
	if [ "$accel" = kvm ] && ! grep -q '^hv ev=boot' "$out/serial.txt" 2>/dev/null; then
		echo "run: QEMU with KVM did not boot (see $out/qemu.out); falling back to Bochs"
		tools/run-bochs.sh "$out" "$timeout_s" "$cmdline" & show $!; rc=$?
	fi ;;
*) echo "usage: tools/run.sh auto|bochs|uefi"; exit 2 ;;
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
