#!/bin/bash
# make profile: instructions per CPUID exit in each function of the C path
# (tools/profile/hotpath.c under callgrind, inclusive counts / exits).
# Measures; not a test. The Bochs figure (make bench) adds the exit stub,
# the register save/restore and the VMX instructions (~60).
set -u
cd "$(dirname "$0")/.."
n=${PROFILE_EXITS:-10000}
out=build/profile
mkdir -p "$out"
if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
	echo "profile: needs valgrind (tools/deps.sh installs it)" >&2
	exit 1
fi
# Only the fast path's own instructions are collected: callgrind's
# collection toggles on entering the again functions (every exit is handled
# there) and off again inside the fake CPU's VMREAD and VMWRITE.
toggles="--collect-atstart=no --toggle-collect=fastpath_again_replay --toggle-collect=fastpath_again_plain"
toggles="$toggles --toggle-collect=vmx_read --toggle-collect=vmx_write"
total() {  # exits [noreplay|mix] -> instructions of the whole run
	valgrind --tool=callgrind $toggles --callgrind-out-file="$out/callgrind.$1${2:-}" build/tools/hotpath "$@" >/dev/null 2>&1 || exit 1
	callgrind_annotate "$out/callgrind.$1${2:-}" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}
# Two runs, n and 2n exits: the difference is n exits' worth, without the
# set-up and the first entry. With the replay (the default), without it,
# and mixbench's exits.
for mode in "" noreplay mix; do
	a=$(total "$n" $mode)
	b=$(total $((2 * n)) $mode)
	what="CPUID exit"; [ "$mode" = mix ] && what="exit of mixbench's loop"
	echo "instructions per $what on the fast path${mode:+ ($mode)} (C only; ($b - $a) / $n):" \
		"$(awk -v a="$a" -v b="$b" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }')"
done
# Where they go: self cost per source file and function. Inlined code is
# charged to the file it comes from (e.g. vmm/shadow/pmr_cache.h:fastpath_again_replay
# is the cache model inlined into the scheduler's fast path).
for mode in "" mix; do
echo "by source file:function (self, >= 2 per exit)${mode:+, $mode}:"
callgrind_annotate "$out/callgrind.$n$mode" 2>/dev/null |
	grep -E '^ *[0-9,]+ +\( *[0-9.]+%\) +[^ ]+:[^ ]+' |
	sed -E 's/,//g; s/\( *[0-9.]+%\)//; s/ \[.*\]$//; s|'"$PWD"'/||; s|^( *[0-9]+ +)\./|\1|' |
	awk -v n="$n" '$2 != "PROGRAM" { v = $1 / n; if (v >= 2) printf "%8.1f  %s\n", v, $2 }' |
	grep -Ev ':(main|\(below main\)|cpuid_exit|mix_exit)$|^ *[0-9.]+  arch/fake/' | head -24
done

# VMRESUME validation against the number of dirty fields and of VMs
# (tools/profile/dirtyk.c): instructions per validation, from the VM's memo,
# counted inside measure_one only; two round counts, their difference.
per_validation() {  # k vms -> instructions per validation
	local a b
	a=$(valgrind --tool=callgrind --collect-atstart=no --toggle-collect=measure_one \
		--callgrind-out-file="$out/dirtyk.a" build/tools/dirtyk "$1" "$2" 100 2>/dev/null >/dev/null &&
		callgrind_annotate "$out/dirtyk.a" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
	b=$(valgrind --tool=callgrind --collect-atstart=no --toggle-collect=measure_one \
		--callgrind-out-file="$out/dirtyk.b" build/tools/dirtyk "$1" "$2" 200 2>/dev/null >/dev/null &&
		callgrind_annotate "$out/dirtyk.b" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
	awk -v a="$a" -v b="$b" -v n="$((100 * $2))" 'BEGIN { printf "%.1f", (b - a) / n }'
}
echo "VMRESUME validation, k dirty guest fields (C only, memo hit): checks run, instructions with 1 VM and with 32 VMs:"
for k in 1 2 5 10 20 50 100; do
	printf '  k=%-3s checks=%-4s 1 VM: %-8s 32 VMs: %s\n' "$k" "$(build/tools/dirtyk "$k" 1 1)" \
		"$(per_validation "$k" 1)" "$(per_validation "$k" 32)"
done
