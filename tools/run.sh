#!/bin/bash
# make run / run-bochs / run-uefi: boot the demo and show what it does.
# Usage: tools/run.sh MACHINE|--check
# MACHINE: auto, kvm (QEMU + KVM nested VT-x + OVMF), bochs-uefi (upstream
# Bochs + OVMF, the UEFI image), bochs27 (Debian Bochs 2.7 + GRUB, the
# multiboot2 kernel), qemu-tcg (QEMU TCG + OVMF: no VMX, the image stops
# with its message); bochs and uefi are the older names of bochs27 and of
# QEMU + OVMF (KVM when usable). auto picks the first that works of kvm,
# bochs-uefi (cached, or built now when its source is found) and bochs27,
# and says which and why (docs/machines.md).
#   env: the variables of tools/options.sh (VMS, POLICY, SLOTS, QUANTUM,
#   TRACE, FASTPATH, CPUS, ENTRYCHECK), TIMEOUT (seconds, default 300).
#   CPUS also sets the emulators' CPU count (run-bochs.sh, run-uefi-bochs.sh,
#   run-uefi.sh read it from the environment).
# --check only checks the variables and prints the command line.
# Every variable is checked before anything boots: a variable set but empty,
# or set to a value the hypervisor does not accept, is an error (status 2).
# By default the run shows the guests' output, one line per VM start and
# end, hypervisor errors and the summary; the whole trace goes to
# build/run/serial.txt. TRACE=all streams every trace line.
set -u
cd "$(dirname "$0")/.." || exit 1
. tools/options.sh
mode=${1:-auto} asked=${1:-auto} accel_force=""
out=build/run
cmdline="" casefile="" stream=0 linux=0

die() { echo "run: $*" >&2; exit 2; }

# check_vms VALUE: every name is a guest of guest/guests.def or linux, at
# most 32; with linux, its files are fetched (once, then cached) and the
# machine gets the memory and the instruction rate its boot is measured at.
check_vms() {
	local known n=0 g
	known=" $(tools/gen-guests-asm.sh --names) linux "
	for g in ${1//,/ }; do
		n=$((n + 1))
		g=${g%%:*}
		[[ $known == *" $g "* ]] || die "VMS: unknown guest \"$g\" (guests: $(echo $known))"
		[ "$g" = linux ] && linux=1
	done
	[ $n -le 32 ] || die "VMS: $n guests, at most 32"
}

linux_setup() {
	[ "$linux" = 1 ] || return 0
	echo "run: the linux guest's kernel and initramfs (tools/linux-fetch.sh; cached after the first time)"
	LINUX_DIR=$(tools/linux-fetch.sh) || { echo "run: the linux guest's files could not be fetched (see above)"; exit 1; }
	export LINUX_DIR MEGS=${MEGS:-512} BOCHS_IPS=${BOCHS_IPS:-200000000}
}

# check_option ROW: the variable of one row of SV_OPTIONS; appends it to
# the command line when it is set.
check_option() {
	local var key re help val def
	var=$(sv_option_field "$1" 1) key=$(sv_option_field "$1" 2)
	re=$(sv_option_field "$1" 3) help=$(sv_option_field "$1" 4)
	if [ -z "${!var+set}" ]; then
		def=DEFAULT_$var
		[ -n "${!def:-}" ] && cmdline="$cmdline $key=${!def}"
		return 0
	fi
	val=${!var}
	[ -n "$val" ] || die "$var is set but empty: give it a value or leave it out ($var: $help)"
	[[ $val =~ ^($re)$ ]] || die "$var=$(printf '%q' "$val") is not accepted ($var: $help)"
	case $var in
	VMS) check_vms "$val" ;;
	TRACE) [ "$val" = all ] && stream=1 ;;
	ENTRYCHECK)
		if [[ $val != random:* ]]; then
			[ -f "$val" ] || die "ENTRYCHECK: no case file $val"
			casefile=$val val=$(basename "$val")
		fi ;;
	esac
	cmdline="$cmdline $key=$val"
}

check_options() {
	local row
	while IFS= read -r row; do
		check_option "$row"
	done <<<"$SV_OPTIONS"
	cmdline=${cmdline# }
	if [ -n "${MACHINE+set}" ]; then
		case $MACHINE in
		kvm | bochs-uefi | bochs27 | qemu-tcg) ;;
		"") die "MACHINE is set but empty: give it a value or leave it out (kvm, bochs-uefi, bochs27, qemu-tcg)" ;;
		*) die "MACHINE=$(printf '%q' "$MACHINE") is not a machine (kvm, bochs-uefi, bochs27, qemu-tcg)" ;;
		esac
	fi
	timeout_s=${TIMEOUT-300}
	[[ $timeout_s =~ ^[1-9][0-9]{0,5}$ ]] || die "TIMEOUT=$(printf '%q' "$timeout_s") is not a number of seconds"
}

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

# The default view of the trace: guests' output, VM start and end, and the
# hypervisor's own lines that matter; everything with TRACE=all.
view() {
	if [ $stream = 1 ]; then
		grep -aE --line-buffered '^(hv |vm=)'
		return
	fi
	awk '
	function val(k,   m) {   # value of key k, quotes and escapes removed
		if (!match($0, " " k "=(\"([^\"\\\\]|\\\\.)*\"|[^ ]*)")) return ""
		m = substr($0, RSTART + length(k) + 2, RLENGTH - length(k) - 2)
		if (m ~ /^"/) { m = substr(m, 2, length(m) - 2); gsub(/\\"/, "\"", m); gsub(/\\\\/, "\\", m) }
		return m
	}
	/^vm=[0-9]+ ev=/ { id = substr($1, 4); ev = substr($2, 4) }
	/^vm=[0-9]+ ev=create / { g[id] = val("guest"); print "vm=" id " " g[id] ": start (" val("mode") ", " val("mem") ")"; fflush(); next }
	/^vm=[0-9]+ ev=out / { print "vm=" id " " g[id] ": " val("text"); fflush(); next }
	/^vm=[0-9]+ ev=end / { w = val("why"); s = val("status")
		print "vm=" id " " g[id] ": end, " (s == "stopped" ? "STOPPED" : s) (w != "" ? " (" w ")" : ""); fflush(); next }
	/^vm=[0-9]+ ev=(refuse|entryfail|disagree|error|out_dropped) / { print; fflush(); next }
	/^hv ev=(boot|config|error|exception|novmx|entrycheck|halt) / { print; fflush(); next }
	/^hv ev=case .*result=(disagree|wrong|error)/ { print; fflush(); next }'
}

show() {   # follow the trace while the runner (pid $1) lives
	local pid=$1
	while [ ! -f "$out/serial.txt" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
	[ -f "$out/serial.txt" ] && tail -n +1 -f --pid="$pid" "$out/serial.txt" | view
}

# Ctrl-C reaches this script, but not its runner: a job started with & by a
# non-interactive shell ignores SIGINT. The runner ends the emulator's
# process group on SIGTERM and says so (tools/emu.sh).
runner_pid="" show_pid=""
interrupted() {
	trap - INT TERM
	[ -n "$runner_pid" ] && kill -TERM "$runner_pid" 2>/dev/null && wait "$runner_pid"
	[ -n "$show_pid" ] && kill -TERM "$show_pid" 2>/dev/null
	exit 130
}

launch() {   # RUNNER ARGS...: run one boot, show it, set rc
	"$@" &
	runner_pid=$!
	show "$runner_pid" &
	show_pid=$!
	wait "$runner_pid"
	rc=$?
	wait "$show_pid"
	runner_pid="" show_pid=""
}

# last_lines N FILE: the file's last N lines, ending with a newline even
# when the file's last line has none (a run cut off mid-line).
last_lines() {
	[ -s "$2" ] || return 0
	tail -n "$1" "$2"
	[ -z "$(tail -c 1 "$2")" ] || echo
}

pick_mode() {
	local why
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
			[ "$asked" = auto ] || { echo "run: upstream Bochs could not be built (see above)"; exit 1; }
			echo "run: machine bochs27 (Debian Bochs 2.7 + GRUB): upstream Bochs could not be built (see above)"
			mode=bochs27
		fi
	fi
}

boot() {
	case $mode in
	bochs27)
		echo "run: booting build/hv.elf through GRUB in Bochs 2.7, cmdline: $cmdline"
		launch tools/run-bochs.sh "$out" "$timeout_s" "$cmdline" "$casefile" ;;
	bochs-uefi)
		echo "run: booting build/hypervisor.efi with OVMF in upstream Bochs, cmdline: $cmdline"
		launch tools/run-uefi-bochs.sh "$out" "$timeout_s" "$cmdline" "$casefile" ;;
	uefi | kvm)
		local accel=tcg
		[ "$mode" = kvm ] && accel=kvm
		[ "$mode" = uefi ] && [ -z "$accel_force" ] && [ -z "$(kvm_problem)" ] && accel=kvm
		echo "run: booting build/hypervisor.efi in QEMU ($accel) + OVMF, cmdline: $cmdline"
		launch tools/run-uefi.sh "$out" "$timeout_s" "$cmdline" "$accel" "$casefile"
		if [ "$accel" = kvm ] && ! grep -q '^hv ev=boot' "$out/serial.txt" 2>/dev/null; then
			echo "run: QEMU with KVM did not boot (see $out/qemu.out); falling back to Bochs 2.7"
			launch tools/run-bochs.sh "$out" "$timeout_s" "$cmdline" "$casefile"
		fi ;;
	esac
}

report() {
	local trace=$out/serial.txt
	case $rc in
	124) echo "run: timed out after ${timeout_s}s; last lines of the trace:"; last_lines 5 "$trace" ;;
	esac
	if [ -x build/tools/svtrace ] && grep -q '^hv ev=summary' "$trace" 2>/dev/null; then
		echo "run: summary (svtrace summary $trace):"
		build/tools/svtrace summary "$trace"
		build/tools/svtrace check "$trace"
	fi
	local more=""
	[ $stream = 1 ] || more="; TRACE=all streams it"
	echo "run: the whole trace ($(wc -l <"$trace" 2>/dev/null || echo 0) lines) is in $trace$more"
}

main() {
	case $mode in
	auto | kvm | bochs-uefi | bochs27 | qemu-tcg | bochs | uefi | --check) ;;
	*) echo "usage: tools/run.sh auto|kvm|bochs-uefi|bochs27|qemu-tcg|--check (MACHINE=$mode is not a machine)" >&2; exit 2 ;;
	esac
	check_options
	if [ "$mode" = --check ]; then
		echo "$cmdline"
		exit 0
	fi
	trap interrupted INT TERM
	linux_setup
	pick_mode
	rm -rf "$out"; mkdir -p "$out"
	rc=1
	boot
	report
	grep -q '^hv ev=halt status=ok' "$out/serial.txt" 2>/dev/null
}

# Sourced (by a test), it only defines the functions.
[[ ${BASH_SOURCE[0]} != "$0" ]] || main
