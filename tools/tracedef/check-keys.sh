#!/usr/bin/env bash
# Every key a trace call site prints is declared for its event in
# vmm/trace_events.def. A call site is a TEV_HV_name or TEV_VM_name constant
# followed by its format string (adjacent literals joined); its keys are the
# `key=` words of that string outside \"...\" values. Keys that arrive
# through a %s argument are not seen here (svtrace check sees them in the
# system tests' traces). Prints one PASS or FAIL line per problem.
# Usage: tools/tracedef/check-keys.sh [FILE.c...]  (default: vmm, rig, arch, boot)
set -u
cd "$(dirname "$0")/../.." || exit 1
DEF=vmm/trace_events.def
# The build folder: B= as the Makefile names it, build/ by default.
GEN=${B:-build}/tools/trace-doc

# The generator, built by the Makefile's rule when the table or it changed.
if ! make --no-print-directory -s B="${B:-build}" $GEN >/dev/null; then
	echo "FAIL trace_keys: cannot build $GEN"
	exit 1
fi
if [ $# -eq 0 ]; then
	set -- $(find vmm rig arch boot -name '*.c' | sort)
fi

$GEN keys | awk -v def=$DEF '
# The declared keys: scope name key... per row (shapes add to the set).
FNR == NR {
	for (i = 3; i <= NF; i++)
		declared[toupper($1) "_" $2, $i] = 1
	known[toupper($1) "_" $2] = 1
	next
}
FNR == 1 { if (src != "") scan(); src = ""; file = FILENAME }
{ src = src $0 "\n" }
END {
	if (src != "") scan()
	if (sites == 0) { print "FAIL trace_keys: no call site found"; exit 1 }
	if (bad) exit 1
	printf "PASS trace_keys: the %d call sites print only keys %s declares\n", sites, def
}

# The format string starting at the quote at s[i]: adjacent literals joined.
function literal(s, i,    out, c) {
	out = ""
	while (substr(s, i, 1) == "\"") {
		for (i++; (c = substr(s, i, 1)) != "\"" && c != ""; i++) {
			if (c == "\\") { out = out c substr(s, i + 1, 1); i++; continue }
			out = out c
		}
		i++
		while ((c = substr(s, i, 1)) == " " || c == "\t" || c == "\n")
			i++
	}
	return out
}

function scan(    rest, off, ev, fmtstr, n, w, j, key, line, before) {
	rest = src; off = 0
	while (match(rest, /TEV_(HV|VM)_[a-z0-9_]+[ \t\n]*,[ \t\n]*"/)) {
		ev = substr(rest, RSTART + 4, RLENGTH)
		sub(/[ \t\n]*,.*/, "", ev)
		before = substr(src, 1, off + RSTART)
		line = 1 + gsub(/\n/, "", before)
		fmtstr = literal(rest, RSTART + RLENGTH - 1)
		off += RSTART + RLENGTH - 1
		rest = substr(rest, RSTART + RLENGTH)
		sites++
		if (!((ev) in known)) {
			printf "FAIL trace_keys: %s:%d: TEV_%s is not an event of %s\n", file, line, ev, def
			bad = 1
			continue
		}
		gsub(/\\"[^"]*\\"/, "\"\"", fmtstr)
		n = split(fmtstr, w, " ")
		for (j = 1; j <= n; j++) {
			if (w[j] !~ /^[a-z_0-9]+=/)
				continue
			key = w[j]; sub(/=.*/, "", key)
			if (!((ev, key) in declared)) {
				printf "FAIL trace_keys: %s:%d: TEV_%s prints %s=, which %s does not declare for it\n",
				       file, line, ev, key, def
				bad = 1
			}
		}
	}
}' - "$@"
