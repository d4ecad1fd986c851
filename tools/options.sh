# The hypervisor's options (vmm/config.c) as make variables, in one place.
# Sourced by tools/run.sh (to check them and build the command line) and by
# tools/help.sh (make help). One row per variable:
#   VARIABLE|key on the command line|accepted values (bash regex, whole value)|help
# The default is the hypervisor's own unless DEFAULT_<VARIABLE> is set below.
SV_OPTIONS='VMS|vms|[a-z0-9]+(:[0-9]+[KMG])?(,[a-z0-9]+(:[0-9]+[KMG])?)*|guests to run, comma-separated names from guest/guests.def or linux (docs/linux.md), each with :SIZE for its memory if wanted (linux:128M) (up to 32)
POLICY|policy|first|threshold:[0-9]+|history(:[0-9]+)?|cache-model policy: first, threshold:N or history[:W] (default first)
SLOTS|slots|[0-8]|cache-model slots, 0..8 (default 2)
QUANTUM|quantum|[1-9][0-9]{0,9}|VMX-preemption-timer ticks per time slice (default 20000)
TRACE|trace|all|summary|all: trace everything and stream it; summary: no per-entry lines (default: trace all, show the guest output and the summary)
FASTPATH|fastpath|on|noreplay|off|CPUID exits handled at the exit, with (on) or without (noreplay) the replay, or off (default on)
MIGRATE|migrate|none|every:[1-9][0-9]{0,5}|balance|how VMs move between CPUs: none (pinned), every:K (to the next CPU every K slices) or balance (an idle CPU takes one) (default none)
TESTHC|testhc|on|off|test hypercalls (HC_TEST_VMWRITE, the badvmcs guest) answered, or unknown like any other number (default off)
CPUS|cpus|[1-8]|CPUs, 1..8: the emulated CPU count and the hypervisor option cpus=N: the CPUs that run VMs (docs/smp.md) (default 1)
CHECKCPU|checkcpu|[0-7]|the CPU the differential mode (ENTRYCHECK) runs on, 0..7 (default 0)
ENTRYCHECK|entrycheck|random:[0-9]+:[0-9]+(:resume)?|[A-Za-z0-9_./-]+\.txt|differential mode: random:SEED:COUNT[:resume], or a case file (tests/entrycheck/cases.txt) (default off)'

DEFAULT_VMS=hello,cpuid,yield,realmode,counter,selfexit

# sv_option_rows: the rows as "VAR key regex help" on separate lines, the
# regex being everything between the second field and the last one.
sv_option_field() {   # ROW N: 1 variable, 2 key, 3 regex, 4 help
	local row=$1
	case $2 in
	1) echo "${row%%|*}" ;;
	2) row=${row#*|}; echo "${row%%|*}" ;;
	3) row=${row#*|}; row=${row#*|}; echo "${row%|*}" ;;
	4) echo "${row##*|}" ;;
	esac
}
