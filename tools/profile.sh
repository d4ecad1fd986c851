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
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" build/tools/hotpath "$n" 2>/dev/null || exit 1
echo "instructions per CPUID exit (inclusive), $n exits on the fast path:"
callgrind_annotate --inclusive=yes "$out/callgrind.out" 2>/dev/null |
	grep -E '^ *[0-9,]+ .*\[.*build/tools/hotpath\]$' |
	sed -E 's/,//g; s/\( *[0-9.]+%\)//; s/ \[.*\]$//' |
	awk -v n="$n" '{ v = $1 / n; f = $2; sub(/^.*:/, "", f); if (v >= 5) printf "%8.1f  %s\n", v, f }' |
	grep -Ev ' (main|\(below|fake_enter|notify_enter|notify_issue)$' | sort -rn | uniq | head -20
