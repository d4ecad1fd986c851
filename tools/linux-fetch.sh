#!/bin/bash
# Fetch the Linux guest's kernel and build its initramfs into a cache
# outside the clone, once per package version. No root is needed.
#
# Usage: tools/linux-fetch.sh [--print-path | --check]
#   (no option)   fetch and build unless cached; print the cache folder last
#   --print-path  print the cached folder, or fail (fetches nothing)
#   --check       exit 0 when the packages resolve or a complete cache exists
#
# The kernel: Debian's linux-image-cloud-amd64 is a metapackage; its
# dependency names the versioned linux-image-<abi>-cloud-amd64 package,
# whose /boot/vmlinuz-* is the bzImage. The initramfs: busybox-static's
# /bin/busybox, /dev/console, /dev/kmsg and an /init that prints
# "shadowvisor-linux: userspace reached" and powers off at once. The line
# goes through /dev/kmsg at a critical level, so the kernel's console
# writes it at once, polled, past "quiet": written to the tty instead,
# only the UART's first FIFO load (16 bytes) would leave before the
# power-off, and the rest would wait for a THR-empty interrupt. It is a
# gzip-compressed newc cpio written by tools/mkinitramfs.py from a list,
# so owners and device nodes need no root.
#
# Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/shadowvisor/linux-<key>/ holding
# bzImage, initramfs.cpio.gz, versions.txt and the .deb files; <key> is
# the first 16 hex digits of the sha256 of the two package versions, the
# /init script and tools/mkinitramfs.py. A stamp (.complete) is written
# only after both files are in place, so an interrupted fetch is redone.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-build}
cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/shadowvisor
META=linux-image-cloud-amd64
BUSYBOX=busybox-static
LINE="shadowvisor-linux: userspace reached"
say() { echo "linux-fetch: $*" >&2; }
die() { say "$*"; exit 1; }

init_script() {
	cat <<INIT
#!/bin/sh
echo "<2>$LINE" >/dev/kmsg
exec /bin/busybox poweroff -f
INIT
}

kernel_pkg() {   # the versioned image package the metapackage depends on
	apt-cache depends "$META" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -1
}

candidate() {   # the version apt would fetch of package $1
	apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)' | head -1
}

cached_any() {   # the newest complete cache, whatever its key
	local c
	c=$(ls -td "$cache_root"/linux-*/.complete 2>/dev/null | head -1)
	[ -n "$c" ] && dirname "$c"
}

kpkg=$(kernel_pkg)
kver=""; bver=""
[ -n "$kpkg" ] && kver=$(candidate "$kpkg")
bver=$(candidate "$BUSYBOX")
if [ -z "$kpkg" ] || [ -z "$kver" ] || [ -z "$bver" ]; then
	# Without package lists, any complete cache still serves.
	if dir=$(cached_any); then
		[ "$mode" = --check ] && exit 0
		[ "$mode" = build ] && say "packages do not resolve here; using the cache in $dir"
		echo "$dir"; exit 0
	fi
	[ "$mode" = build ] && die "cannot resolve $META and $BUSYBOX (apt-get update, as root, fetches the package lists)"
	exit 1
fi
key=$({ echo "$kpkg=$kver $BUSYBOX=$bver"; init_script; cat "$root/tools/mkinitramfs.py"; } |
	sha256sum | cut -c1-16)
dir=$cache_root/linux-$key
if [ -f "$dir/.complete" ]; then
	[ "$mode" = --check ] && exit 0
	[ "$mode" = build ] && say "cached in $dir ($kpkg $kver, $BUSYBOX $bver)"
	echo "$dir"; exit 0
fi
case $mode in
--check) exit 0 ;;
--print-path) say "not fetched yet (run tools/linux-fetch.sh)"; exit 1 ;;
build) ;;
*) die "usage: tools/linux-fetch.sh [--print-path|--check]" ;;
esac

for tool in apt-get dpkg-deb python3 sha256sum; do
	command -v $tool >/dev/null || die "$tool is missing"
done
work=$(mktemp -d "${TMPDIR:-/tmp}/shadowvisor-linux.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$dir" || die "cannot create $dir"
rm -f "$dir/.complete"
log=$dir/fetch.log
: >"$log"
say "fetching $kpkg $kver and $BUSYBOX $bver into $dir (log: $log)"

# shellcheck source=tools/step.sh
. "$root/tools/step.sh"

download() { (cd "$dir" && apt-get download "$kpkg=$kver" "$BUSYBOX=$bver"); }
extract() {
	local d
	for d in "$dir"/"$kpkg"_*.deb "$dir"/"$BUSYBOX"_*.deb; do
		dpkg-deb -x "$d" "$work/x" || return 1
	done
}
kernel() {
	local k=("$work"/x/boot/vmlinuz-*)
	[ -f "${k[0]}" ] || { echo "no /boot/vmlinuz-* in $kpkg"; return 1; }
	cp "${k[0]}" "$dir/bzImage"
}
initramfs() {
	init_script >"$work/init"
	cat >"$work/list" <<LIST
dir   /bin 755
dir   /dev 755
dir   /proc 755
dir   /sys 755
nod   /dev/console 600 c 5 1
nod   /dev/kmsg 644 c 1 11
file  /bin/busybox 755 $work/x/bin/busybox
slink /bin/sh 777 busybox
file  /init 755 $work/init
LIST
	python3 "$root/tools/mkinitramfs.py" "$dir/initramfs.cpio.gz" "$work/list"
}

step download download
step extract extract
step kernel kernel
step initramfs initramfs
printf '%s %s\n%s %s\n' "$kpkg" "$kver" "$BUSYBOX" "$bver" >"$dir/versions.txt"
touch "$dir/.complete"
say "done in $SECONDS s: bzImage $(stat -c %s "$dir/bzImage") bytes, initramfs $(stat -c %s "$dir/initramfs.cpio.gz") bytes"
echo "$dir"
