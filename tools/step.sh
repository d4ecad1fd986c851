# Sourced by the scripts that build or fetch into a cache (build-bochs.sh,
# linux-fetch.sh): step NAME COMMAND... runs a command with its output
# appended to $log, times it, and on failure shows the log's tail and ends
# through the caller's die. The caller defines say and die and sets log.
step() {
	local name=$1 t0=$SECONDS; shift
	say "$name ..."
	if ! "$@" >>"$log" 2>&1; then
		say "$name failed after $((SECONDS - t0)) s; last lines of $log:"
		tail -15 "$log" | sed 's/^/    /' >&2
		die "full log: $log"
	fi
	say "$name done in $((SECONDS - t0)) s"
}
