# Sourced by the runners (run-bochs.sh, run-uefi-bochs.sh, run-uefi.sh): start an emulator
# under a timeout in a process group of its own, and end that whole group
# when the runner is interrupted (Ctrl-C: SIGINT to make's process group,
# which the emulator is not in), terminated, or exits.
#
#   emu_netns_prefix   prints the command that runs a program in a network
#                      namespace of its own (unshare -n as root, unshare -rn
#                      as a user); fails with a message when neither works.
#   emu_run TIMEOUT LOG CMD...   runs CMD under `timeout` with stdin from
#                      /dev/null and its output to LOG, waits, and returns
#                      its status (124 on timeout). The caller's own output
#                      stays free for the interrupt message.
#   emu_bochsrc_common prints the bochsrc lines both Bochs machines share:
#                      COM1 to serial.txt, time that follows instructions,
#                      the log, and what ends a run.

emu_pgid=""

emu_stop() {   # ends the emulator's process group, if any is left
	[ -n "$emu_pgid" ] || return 0
	kill -TERM -- "-$emu_pgid" 2>/dev/null || kill -TERM "$emu_pgid" 2>/dev/null
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 -- "-$emu_pgid" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL -- "-$emu_pgid" 2>/dev/null
	emu_pgid=""
}

emu_interrupted() {
	trap - INT TERM
	emu_stop
	echo "run: interrupted; emulator stopped" >&2
	exit 130
}

trap emu_interrupted INT TERM
trap emu_stop EXIT

emu_netns_prefix() {
	if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
		echo "unshare -n --"
	elif unshare -rn true 2>/dev/null; then
		echo "unshare -rn --"
	else
		echo "run: cannot run the emulator in a network namespace of its own (unshare -n as root, or unshare -rn with user namespaces allowed); refusing to start it, because Bochs 2.7's only headless display (rfb) opens an unauthenticated VNC server on every interface" >&2
		return 1
	fi
}

emu_run() {
	local t=$1 log=$2 pid rc
	shift 2
	# timeout makes itself the leader of a new process group (it is not
	# started with --foreground), so its pid is the group to end.
	timeout -k 5 "$t" "$@" </dev/null >"$log" 2>&1 &
	pid=$!
	emu_pgid=$pid
	wait "$pid"
	rc=$?
	# wait returns early (status > 128) when a trapped signal arrives;
	# the trap has run by then and exited.
	emu_pgid=""
	return $rc
}

# emu_bochsrc_bochs27 MEGS CPUS IPS ISO: Debian Bochs 2.7's own lines for a
# GRUB ISO in the CD drive (run-bochs.sh, run-linux-bochs.sh).
emu_bochsrc_bochs27() {
	cat <<RC
megs: $1
cpu: model=corei7_skylake_x, count=$2, ips=$3, reset_on_triple_fault=0
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
display_library: rfb, options="timeout=0"
ata0-master: type=cdrom, path=$4, status=inserted
boot: cdrom
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
speaker: enabled=1, mode=dummy
RC
}

emu_bochsrc_common() {
	cat <<RC
com1: enabled=1, mode=file, dev=serial.txt
clock: sync=none, time0=local
log: bochs.log
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
RC
}
