#!/bin/bash
# Boot build/hypervisor.efi under upstream Bochs (emulated VT-x) with
# Debian's OVMF, and capture COM1.
# Usage: tools/run-uefi-bochs.sh OUTDIR TIMEOUT_S "CMDLINE" [CASEFILE]
# The image is \EFI\BOOT\BOOTX64.EFI on a directory Bochs presents as a FAT
# disk (vvfat); the command line is \shadowvisor.cmdline beside it, and
# CASEFILE (entrycheck=NAME) is copied there under its own name, where
# boot/uefi/efi_main.c reads it before ExitBootServices.
# Leaves OUTDIR/serial.txt (the trace), OUTDIR/bochs.log and bochs.out.
# Exit status: 0 when the trace reached "hv ev=halt status=ok", 124 on
# timeout, 1 otherwise.
# Env: BOCHS (the binary; default: tools/build-bochs.sh --print-path),
# BOCHS_IPS (instructions per emulated second, default 10,000,000),
# CPUS (cpu count, default 1), HV_EFI (another image), MEGS (the machine's
# memory in MiB, default 512), LINUX_DIR (a folder with bzImage and
# initramfs.cpio.gz, as tools/linux-fetch.sh prints: copied to the ESP as
# \linux\bzImage and \linux\initrd.gz, which the image reads when vms=
# lists linux), LINUX_CMDLINE (when set: \linux\cmdline, the kernel's
# command line).
# Bochs runs in its own process group (tools/emu.sh); a timeout, Ctrl-C or
# TERM ends that whole group. With display_library nogui it opens no socket.
set -u
. "$(dirname "$0")/emu.sh"
out=$1 timeout_s=$2 cmdline=$3 casefile=${4:-}
root=$(cd "$(dirname "$0")/.." && pwd)
bochs=${BOCHS:-$("$root/tools/build-bochs.sh" --print-path)} ||
	{ echo "run-uefi-bochs: upstream Bochs is not built (tools/build-bochs.sh)"; exit 1; }
code=/usr/share/OVMF/OVMF_CODE_4M.fd vars=/usr/share/OVMF/OVMF_VARS_4M.fd
[ -f "$code" ] && [ -f "$vars" ] || { echo "run-uefi-bochs: $code missing (make deps installs ovmf)"; exit 1; }
mkdir -p "$out/esp/EFI/BOOT"
out=$(cd "$out" && pwd)
cp "${HV_EFI:-$root/build/hypervisor.efi}" "$out/esp/EFI/BOOT/BOOTX64.EFI" || exit 1
printf '%s\n' "$cmdline" > "$out/esp/shadowvisor.cmdline"
[ -n "$casefile" ] && { cp "$casefile" "$out/esp/$(basename "$casefile")" || exit 1; }
rm -rf "$out/esp/linux"
if [ -n "${LINUX_DIR:-}" ]; then
	mkdir -p "$out/esp/linux"
	cp "$LINUX_DIR/bzImage" "$out/esp/linux/bzImage" &&
		cp "$LINUX_DIR/initramfs.cpio.gz" "$out/esp/linux/initrd.gz" || exit 1
	[ -n "${LINUX_CMDLINE+set}" ] && printf '%s\n' "$LINUX_CMDLINE" > "$out/esp/linux/cmdline"
fi
# One 4 MiB flash image, variables first, mapped at 0xffc00000.
cat "$vars" "$code" > "$out/OVMF_4M.fd"
{ cat <<RC
megs: ${MEGS:-512}
cpu: model=corei7_skylake_x, count=${CPUS:-1}, ips=${BOCHS_IPS:-10000000}, reset_on_triple_fault=0
romimage: file=OVMF_4M.fd, address=0xffc00000
fw_cfg: enabled=1
display_library: nogui
ata0-master: type=disk, path=esp, mode=vvfat, journal=vvfat.redolog
boot: disk
RC
emu_bochsrc_common; } > "$out/bochsrc"
rm -f "$out/serial.txt" "$out/vvfat.redolog"
cd "$out" || exit 1
emu_run "$timeout_s" bochs.out "$bochs" -q -f bochsrc
rc=$?
[ $rc -eq 124 ] && exit 124
grep -q '^hv ev=halt status=ok' serial.txt 2>/dev/null && exit 0
exit 1
