#!/bin/bash
# Issue: a real operating system as a guest. Debian's cloud kernel with
# the project's initramfs (tools/linux-fetch.sh) boots to its userspace
# line as one VM beside tiny guests, all ending as expected, the trace
# held to svtrace's rules, also while it moves between two CPUs; a Linux
# that panics or resets is stopped by name while the others finish; a
# linux guest without its kernel is refused by name.
# The emulator runs at 200M instructions per emulated second, as the
# bare-emulator yardstick (tools/run-linux-bochs.sh) does.
. "$(dirname "$0")/lib.sh"
LINE="shadowvisor-linux: userspace reached"
if ! LINUX_DIR=$(tools/linux-fetch.sh 2>"build/linux-fetch.log"); then
	fail "the linux guest's files: tools/linux-fetch.sh failed" "$(tail -3 build/linux-fetch.log)"
	exit 1
fi
export LINUX_DIR MEGS=512 BOCHS_IPS=200000000
DEFAULT_CMDLINE=$(sed -n 's/^\t"\(.*\) " \\$/\1/p; s/^\t"\(.*\)"$/\1/p' vmm/pc/linux_boot.h | tr '\n' ' ')

# end VM STATUS WHY-REGEX — the end line of VM (1-based) says so.
end_is() { has "^vm=$1 ev=end status=$2 why=\"$3\" cpu=[0-9][0-9]*$"; }
injected_interrupts() {   # the PC line of VM $1 counts interrupts and halts
	local n
	n=$(events | sed -n "s/^vm=$1 ev=pc irqs=\([0-9]*\) halts=\([0-9]*\) .*/\1 \2/p")
	[ -n "$n" ] && [ "${n% *}" -gt 0 ] || { echo "no ev=pc line with irqs > 0: '$n'"; return 1; }
}

# Linux beside two tiny guests.
if boot_bochs linux-mix 300 "vms=linux,hello,cpuid"; then
	expect "the kernel is laid out by its boot protocol (2.15, initrd at the top)" \
		has '^vm=1 ev=kernel proto=0x20f kernel=[0-9]+ initrd=[0-9]+ initrd_at=0x[0-9a-f]+ needs=[0-9]+K'
	expect "the linux VM is a PC VM of 128 MiB entered at 1 MiB" \
		has '^vm=1 ev=create guest=linux mem=131072K mode=prot32 entry=0x100000 image=[0-9]+ platform=pc'
	expect "the TSC was measured for its timer" has '^hv ev=tsc hz=[1-9][0-9]* how=pit'
	expect "Linux reached its userspace line" has "^vm=1 ev=out text=\"\\[ *[0-9.]+\\] $LINE\""
	expect "Linux halted with interrupts off after its power-off: done" end_is 1 done hlt
	expect "hello finished beside it" end_is 2 done hlt
	expect "cpuid finished beside it" end_is 3 done "exit code=0"
	expect "Linux got timer interrupts injected" injected_interrupts 1
	expect "a linux guest makes trace=summary the default" has '^hv ev=config .* trace=summary '
	expect "no verdict disagreed with the processor's" hasnt 'ev=mismatch|shadow predicts'
	expect "svtrace check accepts the trace" build/tools/svtrace check "$TRACE"
	expect "the run ended well" has '^hv ev=halt status=ok'
fi

# On two CPUs, every VM moved to the other CPU every 4 slices: Linux
# boots while its VMCS, its MSRs and its devices go with it (VMCLEAR on
# the CPU left, VMLAUNCH with every check on the new one).
if CPUS=2 boot_bochs linux-moves 300 "vms=linux,hello,cpuid,counter cpus=2 migrate=every:4"; then
	expect "Linux reached its userspace line while moving" has "^vm=1 ev=out text=\"\\[ *[0-9.]+\\] $LINE\""
	expect "Linux ended done" end_is 1 done hlt
	expect "the tiny guests ended done" bash -c "[ \$(grep -Ec '^vm=[234] ev=end status=done ' '$TRACE') -eq 3 ]"
	expect "VMs moved both ways" bash -c "grep -q '^hv ev=cpu_stats of=0 .* moves_in=[1-9]' '$TRACE' && grep -q '^hv ev=cpu_stats of=1 .* moves_in=[1-9]' '$TRACE'"
	expect "svtrace check accepts the trace" build/tools/svtrace check "$TRACE"
fi

# A kernel that panics (no init: it cannot mount a root) is stopped by
# its panic line; the tiny guests around it finish.
if LINUX_CMDLINE="$DEFAULT_CMDLINE rdinit=/nonexistent" boot_bochs linux-panic 300 "vms=hello,linux,cpuid"; then
	expect "the panic stops Linux by name" end_is 2 stopped "Kernel panic - not syncing: .*"
	expect "hello finished" end_is 1 done hlt
	expect "cpuid finished" end_is 3 done "exit code=0"
	expect "the run ended well" has '^hv ev=halt status=ok'
fi

# A kernel that resets the machine (init is "busybox reboot -f", reboot=k:
# the keyboard controller's reset line) is stopped by name.
if LINUX_CMDLINE="$DEFAULT_CMDLINE reboot=k rdinit=/bin/busybox reboot -f" boot_bochs linux-reset 300 "vms=hello,linux"; then
	expect "the reset stops Linux by name" end_is 2 stopped "i8042 reset \\(0xfe to port 0x64\\)"
	expect "hello finished" end_is 1 done hlt
	expect "the run ended well" has '^hv ev=halt status=ok'
fi

# vms=linux without the kernel among the boot files: refused by name.
LINUX_DIR="" boot_bochs linux-nofiles 120 "vms=hello,linux" || true
expect "a linux guest without its kernel is refused by name" \
	has '^hv ev=error what="no Linux kernel: the boot file \\"linux\\" is missing or too short"'
expect "nothing ran" hasnt '^vm=[0-9]+ ev=entry'
