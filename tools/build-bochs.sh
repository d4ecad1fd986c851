#!/bin/bash
# Build upstream Bochs (VMX, x86-64, SMP, no GUI) into a cache outside the
# clone, once per source. The UEFI image runs its guests on it with OVMF.
#
# Usage: tools/build-bochs.sh [--print-path | --check]
#   (no option)   build unless cached; print the bochs binary's path last
#   --print-path  print the cached binary's path, or fail (builds nothing)
#   --check       exit 0 when a source is found or a build is cached
#
# BOCHS_SRC names the source: a tarball (*.tar.xz, *.tar.gz, ...) whose one
# top folder holds bochs/ or configure, or a directory (the bochs/ folder of
# a checkout of https://github.com/bochs-emu/Bochs, commit 783b58fd or
# later). Default: ../shared/third_party/bochs-*.tar.xz beside the clone.
#
# Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/shadowvisor/bochs-<key>/, with the
# install prefix there; <key> is the first 16 hex digits of the tarball's
# sha256, or for a directory of the sha256 of "git rev-parse HEAD" plus
# "git diff HEAD" when it is a git checkout, else of every file's sha256.
# A stamp file (.complete) is written only after a complete install, so an
# interrupted build is redone. The build runs in a temporary directory;
# its compiler output goes to a log whose path is printed on failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-build}
cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/shadowvisor
say() { echo "build-bochs: $*" >&2; }
die() { say "$*"; exit 1; }

find_src() {
	if [ -n "${BOCHS_SRC:-}" ]; then
		[ -e "$BOCHS_SRC" ] || die "BOCHS_SRC=$BOCHS_SRC does not exist"
		echo "$BOCHS_SRC"; return 0
	fi
	local t
	for t in "$root"/../shared/third_party/bochs-*.tar.xz; do
		[ -f "$t" ] && { (cd "$(dirname "$t")" && echo "$PWD/$(basename "$t")"); return 0; }
	done
	return 1
}

src_key() {   # the cache key of source $1
	local s=$1
	if [ -f "$s" ]; then
		sha256sum "$s" | cut -c1-16
	elif git -C "$s" rev-parse HEAD >/dev/null 2>&1; then
		{ git -C "$s" rev-parse HEAD; git -C "$s" diff HEAD -- .; } | sha256sum | cut -c1-16
	else
		(cd "$s" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
	fi
}

no_source_help() {
	say "no upstream Bochs source found."
	say "  Set BOCHS_SRC to a tarball or to the bochs/ folder of a checkout of"
	say "  https://github.com/bochs-emu/Bochs at commit 783b58fd6d9bae598a07c59719122322fa0edce6"
	say "  or later (it needs upstream PRs #284, #708 and #759), e.g."
	say "  BOCHS_SRC=\$HOME/src/Bochs/bochs make test"
}

[ -z "${BOCHS_SRC:-}" ] || [ -e "$BOCHS_SRC" ] || die "BOCHS_SRC=$BOCHS_SRC does not exist"
src=$(find_src) || src=""
if [ -z "$src" ]; then
	# Without a source, any complete build in the cache still serves.
	cached=$(ls -td "$cache_root"/bochs-*/.complete 2>/dev/null | head -1)
	if [ -n "$cached" ] && [ -x "$(dirname "$cached")/bin/bochs" ]; then
		[ "$mode" = --check ] && exit 0
		[ "$mode" = build ] && say "no source found; using the cached build in $(dirname "$cached")"
		echo "$(dirname "$cached")/bin/bochs"; exit 0
	fi
	[ "$mode" = build ] && no_source_help
	exit 1
fi
key=$(src_key "$src") || die "cannot hash $src"
prefix=$cache_root/bochs-$key
bin=$prefix/bin/bochs
if [ -f "$prefix/.complete" ] && [ -x "$bin" ]; then
	[ "$mode" = --check ] && exit 0
	[ "$mode" = build ] && say "cached in $prefix (source $src)"
	echo "$bin"; exit 0
fi
case $mode in
--check) exit 0 ;;
--print-path) say "not built yet for $src (run tools/build-bochs.sh)"; exit 1 ;;
build) ;;
*) die "usage: tools/build-bochs.sh [--print-path|--check]" ;;
esac

for tool in gcc g++ make tar xz; do
	command -v $tool >/dev/null || die "$tool is missing (Debian: apt-get install build-essential xz-utils; or make deps)"
done
printf '#include <stdio.h>\n' | g++ -x c++ -fsyntax-only - 2>/dev/null ||
	die "the C++ compiler cannot find its headers (Debian: apt-get install build-essential)"

work=$(mktemp -d "${TMPDIR:-/tmp}/shadowvisor-bochs.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$cache_root" || die "cannot create $cache_root"
log=$cache_root/bochs-$key.log
: >"$log"
say "building upstream Bochs from $src into $prefix (log: $log)"

# shellcheck source=tools/step.sh
. "$root/tools/step.sh"

if [ -f "$src" ]; then
	step unpack tar -xf "$src" -C "$work"
	dir=$(find "$work" -maxdepth 3 -name configure -path '*/bochs/configure' | head -1)
	[ -n "$dir" ] || dir=$(find "$work" -maxdepth 2 -name configure | head -1)
	[ -n "$dir" ] || die "no configure script in $src"
	dir=$(dirname "$dir")
else
	[ -x "$src/configure" ] || die "$src has no configure script (point BOCHS_SRC at the bochs/ folder)"
	step copy cp -a "$src/." "$work/src"
	dir=$work/src
fi
rm -rf "$prefix"
cd "$dir" || die "cannot enter $dir"
step configure ./configure --prefix="$prefix" --enable-x86-64 --enable-vmx=2 --enable-avx \
	--enable-evex --enable-cpu-level=6 --with-nogui --enable-pci --enable-all-optimizations \
	--enable-repeat-speedups --disable-docbook --enable-smp
step compile make -j"$(nproc)"
step install make install
[ -x "$bin" ] || die "make install left no $bin"
touch "$prefix/.complete"
say "built in $SECONDS s: $bin"
echo "$bin"
