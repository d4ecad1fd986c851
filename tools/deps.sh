#!/bin/sh
# Install the Debian packages shadowvisor needs, in two sets:
#   tools/deps.sh run    building the images and booting them (make run)
#   tools/deps.sh test   the run set, plus the test tools (make test;
#                        librsvg2-bin renders svtrace timeline in a test)
#   tools/deps.sh        both (make deps)
# A quick look for the commands and files each set provides comes first;
# apt-get runs only when one of them is missing, and then installs only the
# packages not installed yet. Runs apt-get as root (sudo when not root).
# Package names carry no release version: libclang-rt-dev is the
# compiler-rt (libFuzzer, sanitizers) of Debian's default clang.
set -eu
RUN_PKGS="build-essential nasm gnu-efi qemu-system-x86 ovmf bochs bochsbios vgabios
          grub-pc-bin grub-common xorriso mtools"
TEST_PKGS="libcmocka-dev clang libclang-rt-dev valgrind librsvg2-bin"
RUN_CMDS="gcc ld objcopy nasm grub-mkrescue xorriso mformat bochs qemu-system-x86_64"
RUN_FILES="/usr/include/efi/efi.h /usr/lib/crt0-efi-x86_64.o /usr/share/bochs/BIOS-bochs-latest
           /usr/share/vgabios/vgabios.bin /usr/lib/grub/i386-pc/multiboot2.mod"
TEST_CMDS="clang valgrind callgrind_annotate rsvg-convert"
TEST_FILES="/usr/include/cmocka.h"

set_=${1:-all}
case $set_ in
run) pkgs=$RUN_PKGS cmds=$RUN_CMDS files=$RUN_FILES ;;
test | all) pkgs="$RUN_PKGS $TEST_PKGS" cmds="$RUN_CMDS $TEST_CMDS" files="$RUN_FILES $TEST_FILES" ;;
*) echo "usage: tools/deps.sh [run|test]" >&2; exit 2 ;;
esac

have_all() {
	for c in $cmds; do command -v "$c" >/dev/null 2>&1 || return 1; done
	for f in $files; do [ -e "$f" ] || return 1; done
	ls /usr/share/OVMF/OVMF_CODE*.fd >/dev/null 2>&1 || return 1
	[ "$set_" = run ] && return 0
	# libFuzzer, for make fuzz and the short fuzz test
	f=$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null) && [ -e "$f" ]
}
have_all && exit 0

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
