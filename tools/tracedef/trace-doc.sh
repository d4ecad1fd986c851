#!/usr/bin/env bash
# The event tables of docs/TRACE.md, made from vmm/trace_events.def.
# The document marks each table with a line `<!-- trace-doc hv: ... -->` (or
# vm) before it and `<!-- /trace-doc -->` after it; what lies between is
# gendoc's output, the prose around it is written by hand.
# Usage: tools/tracedef/trace-doc.sh          rewrite docs/TRACE.md's tables
#        tools/tracedef/trace-doc.sh --check  PASS/FAIL line (FAIL with a diff)
set -u
cd "$(dirname "$0")/../.." || exit 1
DOC=docs/TRACE.md
DEF=vmm/trace_events.def
# The build folder: B= as the Makefile names it, build/ by default.
GEN=${B:-build}/tools/trace-doc

# The generator, built by the Makefile's rule when the table or it changed.
if ! make --no-print-directory -s B="${B:-build}" $GEN >/dev/null; then
	echo "FAIL trace_doc: cannot build $GEN"
	exit 1
fi

splice() {
	awk -v gen="$GEN" '
	/^<!-- trace-doc (hv|vm):/ {
		print
		cmd = gen " " substr($3, 1, 2)
		while ((cmd | getline line) > 0)
			print line
		if (close(cmd) != 0)
			exit 1
		skip = 1
		next
	}
	/^<!-- \/trace-doc -->/ { skip = 0 }
	!skip { print }' "$DOC"
}

TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT
if ! splice >"$TMP" || [ "$(grep -c '^<!-- trace-doc \(hv\|vm\):' "$DOC")" != 2 ]; then
	echo "FAIL trace_doc: $DOC needs one marked table per scope (hv, vm)"
	exit 1
fi
if [ "${1:-}" = "--check" ]; then
	if cmp -s "$DOC" "$TMP"; then
		echo "PASS trace_doc: $DOC tables match $DEF"
	else
		echo "FAIL trace_doc: $DOC tables differ from $DEF (make trace-doc rewrites them):"
		diff -u "$DOC" "$TMP" | sed 's/^/    /'
		exit 1
	fi
elif ! cmp -s "$DOC" "$TMP"; then
	cp "$TMP" "$DOC"
	echo "trace-doc: rewrote the tables of $DOC"
fi
