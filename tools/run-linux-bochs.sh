#!/bin/bash
# Boot the Linux guest's kernel and initramfs (tools/linux-fetch.sh) on
# the bare emulator, Debian Bochs 2.7 through GRUB's linux and initrd
# commands, with no hypervisor: the yardstick for the Linux guest's boot
# time under shadowvisor. Ends the emulator as soon as COM1 shows the
# userspace line (or a panic, halt or reboot line), and prints the wall
# time from the emulator's start and from the kernel's first line on
# COM1 (the rest is the BIOS and GRUB loading the files from the CD),
# and the emulator's CPU time, which depends less on what else runs.
#
# Usage: tools/run-linux-bochs.sh OUTDIR [TIMEOUT_S] [MEGS]
# LINUX_CMDLINE replaces the default command line below. HV_CMDLINE (e.g.
# "vms=linux") boots the same kernel under shadowvisor instead, as its
# linux guest (GRUB modules, build/hv.elf), with that command line: the
# figures are taken at the same line, and the run goes on to the
# hypervisor's end (its summary and costs). Leaves
# OUTDIR/serial.txt and OUTDIR/bochs.log. Exit status: 0 when the line
# came, 124 on timeout, 1 otherwise. Bochs runs at ips=200M with
# clock sync=none (tools/emu.sh), as make bench's Bochs runs do.
set -u
. "$(dirname "$0")/emu.sh"
netns=$(emu_netns_prefix) || exit 1
out=$1 timeout_s=${2:-300} megs=${3:-128}
root=$(cd "$(dirname "$0")/.." && pwd)
LINE="shadowvisor-linux: userspace reached"
cmdline=${LINUX_CMDLINE:-console=ttyS0 noapic nolapic acpi=off nosmp tsc=reliable mitigations=off quiet lpj=13999648 cryptomgr.notests io_delay=none pci=off i8042.noaux noxsave}
cache=$("$root/tools/linux-fetch.sh") || exit 1
mkdir -p "$out/iso/boot/grub"
out=$(cd "$out" && pwd)
cp "$cache/bzImage" "$out/iso/boot/bzImage" && cp "$cache/initramfs.cpio.gz" "$out/iso/boot/initrd.gz" || exit 1
if [ -n "${HV_CMDLINE:-}" ]; then
	cp "${HV_ELF:-$root/build/hv.elf}" "$out/iso/boot/hv.elf" || exit 1
	entry="multiboot2 /boot/hv.elf $HV_CMDLINE
	module2 --nounzip /boot/bzImage linux $cmdline
	module2 --nounzip /boot/initrd.gz initrd"
else
	entry="linux /boot/bzImage $cmdline
	initrd /boot/initrd.gz"
fi
cat >"$out/iso/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
menuentry "linux" {
	$entry
	boot
}
CFG
grub-mkrescue -o "$out/linux.iso" "$out/iso" >"$out/grub-mkrescue.log" 2>&1 || {
	echo "run-linux-bochs: grub-mkrescue failed:"; tail -5 "$out/grub-mkrescue.log"; exit 1; }
{ emu_bochsrc_bochs27 "$megs" 1 200000000 linux.iso
emu_bochsrc_common; } >"$out/bochsrc"
printf 'c\nquit\n' >"$out/bochs.rc"
rm -f "$out/serial.txt"
cd "$out" || exit 1
cpu_seconds() {   # the CPU time (user + system) of process group $1 so far
	local pid ticks=0 f
	for pid in $(pgrep -g "$1"); do
		read -ra f <"/proc/$pid/stat" 2>/dev/null || continue
		ticks=$((ticks + f[13] + f[14]))
	done
	echo "scale=1; $ticks / $(getconf CLK_TCK)" | bc
}
# emu_run waits for the end; here the runner watches COM1 meanwhile, so
# it starts the emulator the same way (timeout leads its own group).
t0=$(date +%s.%N)
# The namespace prefix is several words on purpose.
# shellcheck disable=SC2086
timeout -k 5 "$timeout_s" $netns bochs -q -f "$out/bochsrc" -rc "$out/bochs.rc" </dev/null >"$out/bochs.out" 2>&1 &
emu_pgid=$!
rc=1 early=0 tk=""
while kill -0 "$emu_pgid" 2>/dev/null; do
	# the kernel's first line: under shadowvisor, the guest's first output
	if [ -z "$tk" ] && { [ -z "${HV_CMDLINE:-}" ] && [ -s "$out/serial.txt" ] ||
		grep -q 'ev=out' "$out/serial.txt" 2>/dev/null; }; then
		tk=$(date +%s.%N)
	fi
	if [ $rc -ne 0 ] && grep -q "$LINE" "$out/serial.txt" 2>/dev/null; then
		rc=0 t1=$(date +%s.%N) cpu=$(cpu_seconds "$emu_pgid")
		[ -n "${HV_CMDLINE:-}" ] || { early=1; break; }
	fi
	if [ -n "${HV_CMDLINE:-}" ] && grep -q '^hv ev=halt' "$out/serial.txt" 2>/dev/null; then
		early=1; break
	fi
	if [ -z "${HV_CMDLINE:-}" ] && grep -qE 'Kernel panic|reboot: (System halted|Power down|Restarting)' "$out/serial.txt" 2>/dev/null; then
		early=1; break
	fi
	sleep 0.1
done
if [ $rc -ne 0 ]; then
	t1=$(date +%s.%N) cpu=$(cpu_seconds "$emu_pgid")
fi
if [ $early -eq 0 ]; then
	wait "$emu_pgid"
	[ $? -eq 124 ] && rc=124
fi
emu_stop
secs=$(echo "$t1 - $t0" | bc)
if [ $rc -eq 0 ]; then
	echo "run-linux-bochs: userspace line after $secs s wall (${megs} MB, ips=200M${HV_CMDLINE:+, under shadowvisor})," \
		"$(echo "$t1 - $tk" | bc) s of them after the kernel's first line; Bochs used $cpu s of CPU"
else
	echo "run-linux-bochs: no userspace line after $secs s (status $rc); last lines of $out/serial.txt:"
	tail -15 "$out/serial.txt" 2>/dev/null | sed 's/^/    /'
fi
exit $rc
