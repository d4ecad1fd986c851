#!/bin/bash
# Boot build/hv.elf in Bochs through GRUB (multiboot2, BIOS) and capture
# COM1. Usage: tools/run-bochs.sh OUTDIR TIMEOUT_S "CMDLINE" [MODULE_FILE]
# (HV_ELF names another image: make bench's floor builds).
# Leaves OUTDIR/serial.txt (the trace) and OUTDIR/bochs.log. Exit status:
# 0 when the trace reached "hv ev=halt", 124 on timeout, 1 otherwise.
# BOCHS_IPS (default 10,000,000 instructions per emulated second) sets how
# fast emulated time runs: lower makes the timed UART cheaper; make bench
# uses 200,000,000, where one TSC tick is about one instruction. CPUS
# (default 1) is the emulated CPU count; MEGS (default 256) its memory.
# LINUX_DIR and LINUX_CMDLINE: the linux guest's files (below).
# Bochs gets relative paths (run in OUTDIR): its fortified build aborts on
# long ones. Sound is set to dummy drivers: its ALSA mixer thread aborts
# ("buffer overflow detected") on machines without a sound card.
# Bochs runs in a network namespace of its own (tools/emu.sh): its rfb
# display would otherwise listen on 0.0.0.0:5900 without a password. The
# runner refuses to start it when no namespace can be made.
set -u
. "$(dirname "$0")/emu.sh"
netns=$(emu_netns_prefix) || exit 1
out=$1 timeout_s=$2 cmdline=$3 module=${4:-}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out/iso/boot/grub"
out=$(cd "$out" && pwd)
cp "${HV_ELF:-$root/build/hv.elf}" "$out/iso/boot/hv.elf" || exit 1
modline=""
if [ -n "$module" ]; then
	cp "$module" "$out/iso/boot/entrycheck.txt"
	modline="module2 /boot/entrycheck.txt entrycheck"
fi
# Each word of the command line in single quotes: GRUB's script syntax is
# the shell's, where an unquoted ; $ or quote would end or change the line.
grub_quote() { printf " '%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
# LINUX_DIR (tools/linux-fetch.sh's folder): the linux guest's kernel and
# initramfs as the modules "linux" and "initrd"; LINUX_CMDLINE, if set,
# follows "linux" as the kernel's command line. --nounzip: GRUB would
# otherwise hand over the initramfs decompressed.
if [ -n "${LINUX_DIR:-}" ]; then
	cp "$LINUX_DIR/bzImage" "$out/iso/boot/bzImage" && cp "$LINUX_DIR/initramfs.cpio.gz" "$out/iso/boot/initrd.gz" || exit 1
	kwords=""
	read -ra kw <<<"${LINUX_CMDLINE:-}"
	for w in "${kw[@]}"; do kwords="$kwords$(grub_quote "$w")"; done
	modline="$modline
	module2 --nounzip /boot/bzImage linux$kwords
	module2 --nounzip /boot/initrd.gz initrd"
fi
grub_words=""
read -ra words <<<"$cmdline"
for w in "${words[@]}"; do
	grub_words="$grub_words$(grub_quote "$w")"
done
cat > "$out/iso/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
menuentry "shadowvisor" {
	multiboot2 /boot/hv.elf$grub_words
	$modline
	boot
}
CFG
grub-mkrescue -o "$out/hv.iso" "$out/iso" >"$out/grub-mkrescue.log" 2>&1 || {
	echo "run-bochs: grub-mkrescue failed:"; tail -5 "$out/grub-mkrescue.log"; exit 1; }
{ emu_bochsrc_bochs27 "${MEGS:-256}" "${CPUS:-1}" "${BOCHS_IPS:-10000000}" hv.iso
emu_bochsrc_common; } > "$out/bochsrc"
printf 'c\nquit\n' > "$out/bochs.rc"
rm -f "$out/serial.txt"
cd "$out" || exit 1
# shellcheck disable=SC2086
emu_run "$timeout_s" "$out/bochs.out" $netns bochs -q -f "$out/bochsrc" -rc "$out/bochs.rc"
rc=$?
[ $rc -eq 124 ] && exit 124
grep -q '^hv ev=halt' "$out/serial.txt" 2>/dev/null && exit 0
exit 1
