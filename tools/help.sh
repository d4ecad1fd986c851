#!/bin/bash
# make help: every target (from the `## ` notes in the Makefile) and every
# variable (tools/options.sh, and those of the Makefile and the runners),
# one line each.
cd "$(dirname "$0")/.." || exit 1
. tools/options.sh
echo "Targets:"
sed -n 's/^\([a-z-]*\):.*## \(.*\)$/\1|\2/p' Makefile |
	while IFS='|' read -r t h; do printf '  make %-12s %s\n' "$t" "$h"; done
echo
echo "Variables of make run, run-bochs and run-uefi (the hypervisor's options;"
echo "unset: the default; set but empty, or a value not accepted: an error):"
while IFS= read -r row; do
	printf '  %-11s %s\n' "$(sv_option_field "$row" 1)=" "$(sv_option_field "$row" 4)"
done <<<"$SV_OPTIONS"
echo "  (VMS unset runs the demo: $DEFAULT_VMS)"
echo
echo "Other variables:"
printf '  %-11s %s\n' \
	"MACHINE=" "run: kvm, bochs-uefi, bochs27 or qemu-tcg instead of the best one here (docs/machines.md)" \
	"TIMEOUT=" "seconds before a run is stopped (default 300)" \
	"GDB=1" "run-uefi: QEMU waits for GDB on 127.0.0.1:1234 (docs/debugging.md)" \
	"T=" "test and unit: run only the tests whose name contains this text" \
	"V=1" "show every build command" \
	"BOCHS_IPS=" "Bochs instructions per emulated second (default 10000000)"
