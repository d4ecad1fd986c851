# Sourced by make bench's scripts (bench.sh, bench-machines.sh,
# bench-smp.sh, bench-linux.sh): reading figures out of a trace.
#   key TRACE REGEX KEY   the value of KEY= on the first line matching REGEX
#   div A B [DIGITS]      A / B with DIGITS decimals (1), n/a when B is 0 or either is missing
#   pct A B               100 A / B with one decimal, n/a when B is 0 or missing
key() { grep -m1 "$2" "$1" | grep -o " $3=[0-9a-fx.]*" | head -1 | cut -d= -f2; }
div() { awk -v a="$1" -v b="$2" -v d="${3:-1}" 'BEGIN { if (b == "" || b == 0 || a == "") print "n/a"; else printf "%.*f", d, a / b }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "" || b == 0) print "n/a"; else printf "%.1f", 100 * a / b }'; }
