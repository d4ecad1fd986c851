#!/bin/sh
# Install every Debian package shadowvisor needs. Idempotent: installs only
# what is missing. Runs apt-get as root (sudo when not root).
set -eu
PKGS="build-essential nasm gnu-efi qemu-system-x86 ovmf bochs bochsbios vgabios
      grub-pc-bin grub-common xorriso mtools libcmocka-dev clang libclang-rt-14-dev valgrind"
missing=""
for p in $PKGS; do
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
