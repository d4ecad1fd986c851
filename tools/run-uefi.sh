#!/bin/bash
# Boot build/hypervisor.efi in QEMU with OVMF and capture COM1.
# Usage: tools/run-uefi.sh OUTDIR TIMEOUT_S "CMDLINE" [kvm|tcg] [CASEFILE]
# The image is \EFI\BOOT\BOOTX64.EFI on a FAT directory drive, the command
# line is \shadowvisor.cmdline beside it. Leaves OUTDIR/serial.txt.
# Exit status: QEMU's (isa-debug-exit: (status<<1)|1, so 1 = ok, 3 = fail),
# 124 on timeout.
# QEMU runs in a process group that an interrupt ends (tools/emu.sh).
# GDB=1 adds a GDB stub on 127.0.0.1:1234 and stops before the firmware's
# first instruction (docs/debugging.md). CPUS (default 1): the CPU count.
set -u
. "$(dirname "$0")/emu.sh"
out=$1 timeout_s=$2 cmdline=$3 accel=${4:-tcg} casefile=${5:-}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out/esp/EFI/BOOT"
out=$(cd "$out" && pwd)
cp "$root/build/hypervisor.efi" "$out/esp/EFI/BOOT/BOOTX64.EFI" || exit 1
printf '%s\n' "$cmdline" > "$out/esp/shadowvisor.cmdline"
[ -n "$casefile" ] && cp "$casefile" "$out/esp/$(basename "$casefile")"
# LINUX_DIR (tools/linux-fetch.sh's folder): the linux guest's files on the
# ESP, where the UEFI image reads them (docs/linux.md); LINUX_CMDLINE, if
# set, its command line.
if [ -n "${LINUX_DIR:-}" ]; then
	mkdir -p "$out/esp/linux"
	cp "$LINUX_DIR/bzImage" "$out/esp/linux/bzImage" &&
		cp "$LINUX_DIR/initramfs.cpio.gz" "$out/esp/linux/initrd.gz" || exit 1
	[ -n "${LINUX_CMDLINE:-}" ] && printf '%s\n' "$LINUX_CMDLINE" >"$out/esp/linux/cmdline"
fi
code=/usr/share/OVMF/OVMF_CODE_4M.fd
vars=/usr/share/OVMF/OVMF_VARS_4M.fd
[ -f "$code" ] || { code=/usr/share/OVMF/OVMF_CODE.fd; vars=/usr/share/OVMF/OVMF_VARS.fd; }
cp "$vars" "$out/OVMF_VARS.fd"
if [ "$accel" = kvm ]; then
	accel_opts=(-enable-kvm -cpu host)
else
	accel_opts=(-accel tcg -cpu max)
fi
gdb_opts=()
[ "${GDB:-}" = 1 ] && gdb_opts=(-gdb tcp:127.0.0.1:1234 -S)
rm -f "$out/serial.txt"
emu_run "$timeout_s" "$out/qemu.out" qemu-system-x86_64 "${gdb_opts[@]}" -machine q35 -m "${MEGS:-512}" -smp "${CPUS:-1}" "${accel_opts[@]}" \
	-drive if=pflash,format=raw,readonly=on,file="$code" \
	-drive if=pflash,format=raw,file="$out/OVMF_VARS.fd" \
	-drive format=raw,file=fat:rw:"$out/esp" \
	-serial file:"$out/serial.txt" -display none -monitor none -no-reboot -nic none \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
exit $?
