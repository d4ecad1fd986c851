#!/bin/bash
# make run-bochs as a user sees it: the GRUB command line is quoted, the
# default view is short and ends with the summary and the trace's place,
# the variables reach the hypervisor, Bochs listens on no reachable
# interface, and Ctrl-C ends the emulator at once and says so.
. "$(dirname "$0")/lib.sh"
RUN=$ROOT/build/run

# GRUB gets each word quoted: a ; reaches the hypervisor, which refuses the
# guest name, instead of ending the GRUB command (and running only hello).
boot_bochs quoting 120 "vms=hello;yield" || true
expect "a ; in the command line reaches the hypervisor whole" has '^hv ev=boot .*cmdline="vms=hello;yield"'
expect "the hypervisor refuses the guest \"hello;yield\"" has '^hv ev=error what="unknown guest \\"hello;yield\\" in vms=" cpu=[0-9][0-9]*$'
expect "the boot line carries the version" has '^hv ev=boot .* version=[^ ]+ cpu=[0-9][0-9]*$'

# The default view of a short run, with variables the hypervisor must see.
view_run() {
	local log=$ROOT/build/systest/run-view.log
	mkdir -p "$(dirname "$log")"
	env VMS=hello,selfexit TRACE=summary FASTPATH=off TIMEOUT=240 \
		make --no-print-directory run-bochs >"$log" 2>&1
	TRACE=$RUN/serial.txt
	VIEW=$log
}
view_run
expect "TRACE=summary and FASTPATH=off reach the hypervisor" has '^hv ev=config .* trace=summary .*fastpath=off cpu=[0-9][0-9]*$'
view_has() { grep -Eq -- "$1" "$VIEW" || { echo "no line of the view matches: $1"; tail -5 "$VIEW"; return 1; }; }
expect "the view shows a VM's start" view_has '^vm=1 hello: start \(prot32, 64K\)$'
expect "the view shows the guests' output" view_has '^vm=1 hello: hello from guest$'
expect "the view shows a VM's end and why" view_has '^vm=2 selfexit: end, done \(exit code=0\)$'
expect "the view shows the summary table" view_has '^total +[0-9]+'
expect "the view ends with the trace's place" \
	bash -c '[[ $(tail -1 "$1") == "run: the whole trace ("*" lines) is in build/run/serial.txt; TRACE=all streams it" ]]' _ "$VIEW"
expect "the view has no vmwrite line" bash -c '! grep -q "ev=vmwrite" "$1"' _ "$VIEW"
expect "the view is short (under 45 lines for two guests)" bash -c '[ "$(wc -l <"$1")" -lt 45 ]' _ "$VIEW"

# A long run as a job of its own, as make run is from a terminal: with job
# control on, the job is a process group and does not ignore SIGINT.
VMS32=$(printf 'counter,%.0s' $(seq 31))spin
LOG=$ROOT/build/systest/run-interrupt.log
set -m
env VMS="$VMS32" TIMEOUT=600 make --no-print-directory run-bochs >"$LOG" 2>&1 &
MAKE_PID=$!
set +m
emu_pids() { pgrep -f -- "$RUN/bochsrc"; }
bochs_pid=""
for _ in $(seq 240); do
	bochs_pid=$(pgrep -f -- "^bochs-bin .*$RUN/bochsrc" | head -1)
	[ -n "$bochs_pid" ] && [ -s "$RUN/serial.txt" ] && break
	sleep 0.5
done
TRACE=$RUN/serial.txt
if [ -z "$bochs_pid" ]; then
	fail "the long run started Bochs" "$(tail -5 "$LOG")"
else
	pass "the long run started Bochs"
	own_netns() {
		[ "$(readlink /proc/"$bochs_pid"/ns/net)" != "$(readlink /proc/self/ns/net)" ] ||
			{ echo "bochs shares this shell's network namespace"; return 1; }
		local addrs
		addrs=$(nsenter -t "$bochs_pid" -n ip -o addr show 2>&1 | grep -v ' lo ') &&
			[ -n "$addrs" ] && { echo "its namespace has addresses: $addrs"; return 1; }
		return 0
	}
	expect "Bochs runs in a network namespace of its own, with no address but loopback" own_netns
	no_listener() {
		local l
		l=$(ss -ltnpH 2>/dev/null | grep -E "pid=($bochs_pid)[,)]")
		[ -z "$l" ] || { echo "listening here: $l"; return 1; }
	}
	expect "no socket of Bochs listens in this namespace (the VNC port)" no_listener
fi
sleep 2
kill -INT -- "-$MAKE_PID" 2>/dev/null
gone=0
for _ in $(seq 20); do
	[ -z "$(emu_pids)" ] && { gone=1; break; }
	sleep 0.5
done
if [ $gone = 1 ]; then
	pass "Ctrl-C ends the emulator within 10 s"
else
	fail "Ctrl-C ends the emulator within 10 s" "left: $(emu_pids | xargs ps -o pid=,args= -p 2>/dev/null)"
	emu_pids | xargs -r kill -KILL 2>/dev/null
fi
wait "$MAKE_PID" 2>/dev/null
expect "the run says it stopped the emulator" grep -q '^run: interrupted; emulator stopped$' "$LOG"
